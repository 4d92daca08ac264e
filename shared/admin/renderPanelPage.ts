import { escapeHtml } from '../platform/text';

export interface PanelPageInit {
  /** The session token, or undefined for the sign-in page (admin bearer token, outside Jira). */
  sessionToken?: string;
  /** URL path of the assets, e.g. `/api/manage/ui/assets`. */
  assetBase: string;
  /** URL path of the JSON endpoints, e.g. `/api/manage/panel`. */
  apiBase: string;
  /** Content hashes, so a new version is never served from a stale cache. */
  scriptVersion: string;
  styleVersion: string;
}

/**
 * The panel's HTML: structure only. Every value is filled in by `panel.js` with
 * `textContent`; the only values written here (paths, hashes, the session token) are
 * escaped all the same.
 */
export function renderPanelPage(init: PanelPageInit): string {
  const e = escapeHtml;
  const signIn = init.sessionToken === undefined;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
${signIn ? '' : `<meta name="panel-session" content="${e(init.sessionToken ?? '')}">\n`}<title>Outlook integration · administration</title>
<link rel="stylesheet" href="${e(init.assetBase)}/panel.css?v=${e(init.styleVersion)}">
<script src="${e(init.assetBase)}/panel.js?v=${e(init.scriptVersion)}" defer></script>
</head>
<body data-api="${e(init.apiBase)}" data-mode="${signIn ? 'signin' : 'panel'}">
<header class="top">
  <h1>Outlook integration <span id="instance-name" class="muted"></span></h1>
  <span class="who"><span id="updated" class="muted"></span> <button type="button" id="refresh" hidden>Refresh</button> <span id="session-info"></span></span>
</header>
<main>
  <div id="banner" class="banner" role="alert" hidden></div>

  <section id="signin" class="wide"${signIn ? '' : ' hidden'}>
    <h2>Sign in with an admin token</h2>
    <p class="muted">Outside Jira, the panel opens with a Microsoft identity platform access token that holds the admin app role.</p>
    <form id="signin-form">
      <label for="signin-token">Bearer token</label>
      <textarea id="signin-token" autocomplete="off" spellcheck="false" required></textarea>
      <label for="signin-instance">Instance id</label>
      <input id="signin-instance" type="text" autocomplete="off" spellcheck="false" required>
      <div class="row"><button class="primary" type="submit">Open</button><output id="signin-result" class="status"></output></div>
    </form>
  </section>

  <section id="instance" hidden>
    <h2>Jira instance</h2>
    <dl>
      <dt>Base URL</dt><dd id="base-url"></dd>
      <dt>Application link callback</dt><dd id="callback-url"></dd>
      <dt>Consumer key</dt><dd><code id="consumer-key"></code> <button type="button" class="copy" data-copy="consumer-key">Copy</button></dd>
      <dt>Public key</dt><dd><button type="button" class="copy" data-copy="public-key">Copy</button><pre id="public-key" class="key"></pre></dd>
      <dt>Service credential</dt><dd id="credential-state"></dd>
      <dt>Panel issuer</dt><dd><code id="panel-issuer"></code></dd>
    </dl>
    <div class="row"><button type="button" id="test-connection">Test connection</button><output id="test-result" class="status"></output></div>
    <form id="instance-edit" class="edit">
      <label for="instance-display-name">Display name</label><input type="text" id="instance-display-name" maxlength="200" required autocomplete="off">
      <label for="instance-base-url">Base URL</label><input type="text" id="instance-base-url" maxlength="2048" required autocomplete="off" spellcheck="false">
      <span></span><div class="row"><button type="submit" id="instance-save">Save</button><output id="instance-edit-result" class="status"></output></div>
    </form>
  </section>

  <section id="license" hidden>
    <h2>License</h2>
    <dl>
      <dt>Decision</dt><dd id="license-decision"></dd>
      <dt>Source</dt><dd id="license-source"></dd>
      <dt>Checked</dt><dd id="license-checked"></dd>
      <dt>Details</dt><dd id="license-detail"></dd>
    </dl>
  </section>

  <section id="report" class="wide" hidden>
    <h2>Activity, last <span id="report-days"></span> days (UTC days)</h2>
    <div id="chart" class="chart" role="img" aria-label="Notifications per day"></div>
    <ul id="legend" class="legend"></ul>
    <p class="muted" id="report-note"></p>
    <h2>Latest failures</h2>
    <table>
      <thead><tr><th>When</th><th>Issue</th><th>Reason</th><th class="num">Jira status</th><th class="num">Attempts</th></tr></thead>
      <tbody id="failure-rows"></tbody>
    </table>
  </section>

  <section id="poison" hidden>
    <h2>Poison queues</h2>
    <p class="muted">This tenant's messages that failed five times (counted among the first 32 of each queue; "+": there are more). Replay moves them back once the cause is fixed; other tenants' messages stay where they are. The whole deployment's: <code>npm run replay-poison</code>.</p>
    <table>
      <thead><tr><th>Queue</th><th class="num">Messages</th><th></th></tr></thead>
      <tbody id="poison-rows"></tbody>
    </table>
    <div id="replay-confirm" class="confirm" role="alertdialog" aria-labelledby="replay-preview" hidden>
      <p id="replay-preview"></p>
      <div class="row"><button type="button" id="replay-go" class="primary">Move them</button><button type="button" id="replay-cancel">Cancel</button></div>
    </div>
    <output id="replay-result" class="status"></output>
  </section>

  <section id="subscriptions" hidden>
    <h2>Mailbox subscriptions</h2>
    <p id="subscription-summary" class="muted"></p>
    <table>
      <thead><tr><th>Mailbox</th><th>State</th><th>Expires</th><th>Renewed</th><th>Last notification</th></tr></thead>
      <tbody id="subscription-rows"></tbody>
    </table>
    <button type="button" id="subscriptions-more" class="more" hidden>Show more</button>
  </section>

  <section id="links" class="wide" hidden>
    <h2>Linked conversations</h2>
    <form id="link-search" class="search" role="search">
      <input id="link-issue" type="search" placeholder="Issue key, e.g. DEMO-1" autocomplete="off" spellcheck="false" aria-label="Issue key">
      <button type="submit">Search</button>
    </form>
    <p id="link-totals" class="muted"></p>
    <table>
      <thead><tr><th>Issue</th><th class="num">Conversations</th><th class="num">Stale</th><th class="num">Linked by</th><th>Last linked</th></tr></thead>
      <tbody id="link-rows"></tbody>
    </table>
    <button type="button" id="links-more" class="more" hidden>Show more</button>
  </section>

  <section id="trail" class="wide" hidden>
    <h2>A mail's trail</h2>
    <p class="muted">Why was someone notified, or not? Enter the mail's Internet message id, its Outlook (Graph) id or its conversation id.</p>
    <form id="trail-search" class="search" role="search">
      <input id="trail-id" type="search" placeholder="&lt;message-id@example.com&gt;, a message id or a conversation id" autocomplete="off" spellcheck="false" aria-label="Mail id">
      <button type="submit">Follow</button>
    </form>
    <output id="trail-summary" class="status"></output>
    <div id="trail-mails"></div>
  </section>
</main>
</body>
</html>
`;
}
