import { reasonSentences, type ReasonSentences } from '../reasonSentences';

/**
 * The panel's browser code. It is type-checked and linted with the app, and shipped as the
 * text of this one function (`panelScript` below): so it must stay self-contained — no
 * reference to anything outside its body, which would not exist in the browser (nor would
 * the counters a coverage tool injects: the browser test runs uninstrumented). What it needs from the
 * server side (the sentences of reason codes) comes as its argument. Every value
 * from the API goes into the page with `textContent` or an SVG attribute, never as markup.
 */
export function panelMain(texts: ReasonSentences): void {
  type Json = Record<string, unknown>;
  const SVG = 'http://www.w3.org/2000/svg';
  const SERIES = ['received', 'dropped', 'delivered', 'failed', 'poisoned'] as const;
  const LABELS: Record<(typeof SERIES)[number], string> = {
    received: 'Received',
    dropped: 'Dropped',
    delivered: 'Delivered',
    failed: 'Failed',
    poisoned: 'Poisoned',
  };
  const RENEW_EVERY_MS = 5 * 60 * 1000;

  const api = document.body.dataset.api ?? '';
  let token = document.querySelector('meta[name="panel-session"]')?.getAttribute('content') ?? '';
  let instanceId = '';
  const copyable = new Map<string, string>();

  function byId<T extends HTMLElement = HTMLElement>(id: string): T {
    const element = document.getElementById(id);
    if (!element) throw new Error(`missing #${id}`);
    return element as T;
  }

  function text(id: string, value: string): void {
    byId(id).textContent = value;
  }

  function cell(row: HTMLTableRowElement, value: string, className?: string): HTMLTableCellElement {
    const td = row.insertCell();
    td.textContent = value;
    if (className) td.className = className;
    return td;
  }

  function clear(element: Element): void {
    while (element.firstChild) element.removeChild(element.firstChild);
  }

  const relativeFormat = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  const absoluteFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
    ['year', 365 * 86_400_000],
    ['month', 30 * 86_400_000],
    ['day', 86_400_000],
    ['hour', 3_600_000],
    ['minute', 60_000],
  ];

  /** `3 minutes ago`, `in 2 days`, `just now`: a time relative to the reader's clock. */
  function when(iso: unknown): string {
    if (typeof iso !== 'string' || Number.isNaN(Date.parse(iso))) return '—';
    const delta = Date.parse(iso) - Date.now();
    if (Math.abs(delta) < 60_000) return 'just now';
    for (const [unit, ms] of UNITS) if (Math.abs(delta) >= ms) return relativeFormat.format(Math.trunc(delta / ms), unit);
    return relativeFormat.format(0, 'minute');
  }

  /** The absolute time in the reader's time zone, for a title: `3 Dec 2026, 10:41`. */
  function absolute(iso: string): string {
    return absoluteFormat.format(new Date(iso));
  }

  /** Shows a time relative (kept current by `tick`), the absolute local time in its title. */
  function showTime(element: HTMLElement, iso: unknown, prefix = ''): void {
    element.textContent = `${prefix}${when(iso)}`;
    if (typeof iso === 'string' && !Number.isNaN(Date.parse(iso))) {
      element.dataset.time = iso;
      element.dataset.prefix = prefix;
      element.title = absolute(iso);
    } else {
      delete element.dataset.time;
      element.removeAttribute('title');
    }
  }

  function timeCell(row: HTMLTableRowElement, iso: unknown): HTMLTableCellElement {
    const td = row.insertCell();
    showTime(td, iso);
    return td;
  }

  /** Relative times age: redrawn every half minute. */
  function tick(): void {
    document.querySelectorAll<HTMLElement>('[data-time]').forEach((element) => {
      element.textContent = `${element.dataset.prefix ?? ''}${when(element.dataset.time)}`;
    });
  }

  /** The sentence of a delivery's reason code; a code this page does not know is shown as it is. */
  function deliveryReason(reason: unknown): string {
    const code = str(reason, '');
    const rejected = /^jira_rejected_(\d{3})$/.exec(code);
    if (rejected) return texts.rejected.replace('{status}', rejected[1] ?? '');
    return (texts.delivery as Record<string, string>)[code] ?? str(reason, 'failed');
  }

  function dropReason(reason: unknown): string {
    return (texts.dropped as Record<string, string>)[str(reason, '')] ?? str(reason, 'no reason recorded');
  }

  function str(value: unknown, fallback = '—'): string {
    return typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : fallback;
  }

  /**
   * A mailbox owner as a person reads them: `Name <address>` from the directory, the id with
   * `(deleted user)` for one deleted, the bare id when the directory could not say.
   */
  function userLabel(userId: unknown, user: unknown): string {
    const id = str(userId);
    const known = obj(user);
    if (known.deleted === true) return `${id} (deleted user)`;
    const name = str(known.displayName, '');
    const mail = str(known.mail, '');
    if (name && mail) return `${name} <${mail}>`;
    return name || mail || id;
  }

  /** `1 mailbox`, `2 mailboxes`: a count with its noun, singular or plural (English, so two forms do). */
  function count(n: number, singular: string, plural = `${singular}s`): string {
    return `${n} ${n === 1 ? singular : plural}`;
  }

  function num(value: unknown): number {
    return typeof value === 'number' && Number.isFinite(value) ? value : 0;
  }

  function obj(value: unknown): Json {
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
  }

  function list(value: unknown): Json[] {
    return Array.isArray(value) ? value.map(obj) : [];
  }

  function showBanner(message: string): void {
    const banner = byId('banner');
    banner.textContent = message;
    banner.hidden = false;
  }

  function setStatus(id: string, message: string, tone: 'ok' | 'bad' | 'warn' | 'muted'): void {
    const output = byId(id);
    output.textContent = message;
    output.className = `status ${tone}`;
  }

  class ApiError extends Error {
    constructor(
      message: string,
      readonly status: number,
      /** The problem's `detail`: which field and why, for forms. */
      readonly detail = '',
    ) {
      super(message);
    }
  }

  async function call(path: string, init: { method?: string; body?: unknown; query?: Record<string, string> } = {}): Promise<Json> {
    const query = new URLSearchParams(init.query ?? {});
    const headers: Record<string, string> = { Accept: 'application/json', 'X-Panel-Session': token };
    if (init.body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(`${api}/${path}${query.toString() === '' ? '' : `?${query.toString()}`}`, {
      method: init.method ?? 'GET',
      headers,
      credentials: 'omit',
      cache: 'no-store',
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    const body = obj(await response.json().catch(() => ({})));
    if (response.status === 401) {
      showBanner('The session has ended. Open the page again from Jira (or sign in again).');
      throw new ApiError('session ended', 401);
    }
    if (!response.ok) throw new ApiError(str(body.title, `HTTP ${response.status}`), response.status, str(body.detail, ''));
    return body;
  }

  async function copy(key: string, button: HTMLButtonElement): Promise<void> {
    const value = copyable.get(key) ?? '';
    let copied = false;
    try {
      await navigator.clipboard.writeText(value);
      copied = true;
    } catch {
      // The frame may lack the clipboard permission: fall back to a selection copy.
      const area = document.createElement('textarea');
      area.value = value;
      area.setAttribute('readonly', '');
      document.body.appendChild(area);
      area.select();
      copied = document.execCommand('copy');
      area.remove();
    }
    button.textContent = copied ? 'Copied' : 'Copy failed';
    window.setTimeout(() => (button.textContent = 'Copy'), 2500);
  }

  function renderOverview(overview: Json): void {
    const instance = obj(overview.instance);
    instanceId = str(instance.instanceId, '');
    text('instance-name', `· ${str(instance.displayName)} (${instanceId})`);
    text('base-url', str(instance.baseUrl));
    editing = { displayName: str(instance.displayName, ''), baseUrl: str(instance.baseUrl, '') };
    byId<HTMLInputElement>('instance-display-name').value = editing.displayName;
    byId<HTMLInputElement>('instance-base-url').value = editing.baseUrl;
    text('callback-url', str(instance.callbackUrl));
    text('consumer-key', str(instance.consumerKey));
    text('public-key', str(instance.publicKeyPem));
    text('panel-issuer', str(instance.panelIssuer));
    copyable.set('consumer-key', str(instance.consumerKey, ''));
    copyable.set('public-key', str(instance.publicKeyPem, ''));

    const credential = obj(overview.credential);
    const credentialText =
      credential.state === 'missing'
        ? 'missing: register a service user or a personal access token'
        : credential.kind === 'personalAccessToken'
          ? `set: personal access token${typeof credential.serviceUser === 'string' ? ` of ${credential.serviceUser}` : ''}`
          : `set: 2-legged OAuth as ${str(credential.serviceUser)}`;
    text('credential-state', credentialText);
    byId('credential-state').className = credential.state === 'missing' ? 'bad' : '';

    const license = obj(overview.license);
    if (license.state === 'notConfigured') {
      text('license-decision', 'not checked: the instance has no Jira app key');
      text('license-source', '—');
      text('license-checked', '—');
      text('license-detail', '—');
    } else {
      const answer = obj(license.answer);
      text('license-decision', `${answer.licensed === true ? 'licensed' : 'not licensed'} (${str(answer.status)})`);
      byId('license-decision').className = answer.licensed === true ? 'ok' : 'bad';
      text('license-source', answer.source === 'grace' ? `grace, until ${when(answer.graceUntil)}` : str(answer.source));
      showTime(byId('license-checked'), answer.checkedAt);
      const details = [
        answer.evaluation === true ? 'evaluation' : '',
        typeof answer.expiresAt === 'string' ? `expires ${when(answer.expiresAt)}` : '',
        typeof answer.maxUsers === 'number' ? `${answer.maxUsers} users` : '',
      ];
      text('license-detail', details.filter((d) => d !== '').join(', ') || '—');
    }

    const session = obj(overview.session);
    text('session-info', `${session.via === 'jira' ? 'Jira user' : 'Admin'} ${str(session.subject)}`);
    byId('instance').hidden = false;
    byId('license').hidden = false;
  }

  function svg<K extends keyof SVGElementTagNameMap>(
    name: K,
    attributes: Record<string, string | number>,
    parent: Element,
  ): SVGElementTagNameMap[K] {
    const element = document.createElementNS(SVG, name);
    for (const [attribute, value] of Object.entries(attributes)) element.setAttribute(attribute, String(value));
    parent.appendChild(element);
    return element;
  }

  function renderChart(days: Json[]): void {
    const container = byId('chart');
    clear(container);
    const width = 900;
    const height = 260;
    const left = 36;
    const bottom = 24;
    const top = 10;
    const plotHeight = height - top - bottom;
    const max = Math.max(1, ...days.flatMap((day) => SERIES.map((series) => num(day[series]))));
    const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, xmlns: SVG, role: 'presentation' }, container);
    for (const fraction of [0, 0.5, 1]) {
      const y = top + plotHeight - fraction * plotHeight;
      svg('line', { x1: left, x2: width, y1: y, y2: y, class: 'axis' }, root);
      const label = svg('text', { x: left - 6, y: y + 3, 'text-anchor': 'end', class: 'label' }, root);
      label.textContent = String(Math.round(fraction * max));
    }
    const group = (width - left) / Math.max(1, days.length);
    const bar = Math.max(1, (group * 0.8) / SERIES.length);
    days.forEach((day, index) => {
      const x0 = left + index * group + group * 0.1;
      SERIES.forEach((series, s) => {
        const value = num(day[series]);
        const barHeight = (value / max) * plotHeight;
        const rect = svg(
          'rect',
          {
            x: x0 + s * bar,
            y: top + plotHeight - barHeight,
            width: Math.max(0.5, bar - 1),
            height: barHeight,
            class: `bar s-${series}`,
            'data-series': series,
            'data-value': value,
          },
          root,
        );
        const title = svg('title', {}, rect);
        title.textContent = `${str(day.day)} · ${LABELS[series]}: ${value}`;
      });
      if (days.length <= 16 || index % 2 === 0) {
        const label = svg('text', { x: x0 + (bar * SERIES.length) / 2, y: height - 8, 'text-anchor': 'middle', class: 'label' }, root);
        label.textContent = str(day.day).slice(5);
      }
    });
  }

  function renderReport(report: Json): void {
    const days = list(report.days);
    text('report-days', String(days.length));
    renderChart(days);
    const totals = obj(report.totals);
    const legend = byId('legend');
    clear(legend);
    for (const series of SERIES) {
      const item = document.createElement('li');
      item.dataset.series = series;
      const swatch = document.createElement('span');
      swatch.className = `swatch sw-${series}`;
      const label = document.createElement('span');
      label.textContent = `${LABELS[series]}: ${num(totals[series])}`;
      item.append(swatch, label);
      legend.appendChild(item);
    }
    const reasons = new Map<string, number>();
    for (const day of days)
      for (const [reason, n] of Object.entries(obj(day.droppedByReason))) reasons.set(reason, (reasons.get(reason) ?? 0) + num(n));
    const reasonText = [...reasons].map(([reason, n]) => `${n} because ${dropReason(reason)}`).join('; ');
    text(
      'report-note',
      `Received and poisoned: this tenant's mailboxes. Delivered and failed: this instance. Dropped: the whole deployment (most drops happen before a tenant is known)${reasonText ? ` — ${reasonText}` : ''}.${report.deliveriesTruncated === true ? ' Only part of the deliveries could be counted.' : ''}`,
    );

    const failures = byId<HTMLTableSectionElement>('failure-rows');
    clear(failures);
    for (const failure of list(report.latestFailures)) {
      const row = failures.insertRow();
      timeCell(row, failure.at);
      cell(row, str(failure.issueKey));
      cell(row, deliveryReason(failure.reason));
      cell(row, str(failure.lastStatus), 'num');
      cell(row, str(failure.attempts), 'num');
    }
    if (list(report.latestFailures).length === 0) cell(failures.insertRow(), 'No failures in this period.', 'muted').colSpan = 5;

    const poison = byId<HTMLTableSectionElement>('poison-rows');
    clear(poison);
    for (const queue of list(report.poisonQueues)) {
      const row = poison.insertRow();
      // A peek sees the first 32 messages of a queue: beyond them there may be more of this tenant's.
      const complete = queue.complete !== false;
      cell(row, str(queue.poisonQueue));
      cell(row, `${num(queue.count)}${complete ? '' : '+'}`, 'num');
      const action = row.insertCell();
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = 'Replay';
      button.className = 'replay';
      button.dataset.queue = str(queue.queue, '');
      button.disabled = num(queue.count) === 0 && complete;
      action.appendChild(button);
    }
    byId('report').hidden = false;
    byId('poison').hidden = false;
  }

  /** Where each paged list goes on: its filters and the `next` token of its last page, absent at the end. */
  const more: Record<'subscriptions' | 'links', { query: Record<string, string>; next?: string }> = {
    subscriptions: { query: {} },
    links: { query: {} },
  };

  /** Shows the list's "Show more" while the API says more items follow. */
  function rememberNext(list: 'subscriptions' | 'links', result: Json, query: Record<string, string>): void {
    more[list] = typeof result.next === 'string' ? { query, next: result.next } : { query };
    byId(`${list}-more`).hidden = typeof result.next !== 'string';
  }

  async function loadSubscriptions(append: boolean): Promise<void> {
    const next = append ? more.subscriptions.next : undefined;
    const result = await call('subscriptions', next === undefined ? {} : { query: { next } });
    renderSubscriptions(result, append);
    rememberNext('subscriptions', result, {});
  }

  async function loadLinks(query: Record<string, string>, append: boolean): Promise<void> {
    const next = append ? more.links.next : undefined;
    const result = await call('links', { query: next === undefined ? query : { ...query, next } });
    renderLinks(result, append);
    rememberNext('links', result, query);
  }

  function renderSubscriptions(result: Json, append: boolean): void {
    const rows = list(result.items);
    const body = byId<HTMLTableSectionElement>('subscription-rows');
    if (!append) clear(body);
    for (const subscription of rows) {
      const row = body.insertRow();
      row.className = 'subscription';
      // The object id stays in the title: what support and Graph speak in.
      cell(row, userLabel(subscription.userId, subscription.user), 'user').title = str(subscription.userId);
      const state = subscription.expired === true ? 'expired' : str(subscription.state, 'active');
      cell(
        row,
        `${(texts.subscriptionState as Record<string, string>)[state] ?? state}${subscription.superseded === true ? ' (superseded: no longer renewed)' : ''}`,
        state === 'active' && subscription.superseded !== true ? 'ok state' : 'warn state',
      );
      timeCell(row, subscription.expiresAt);
      timeCell(row, subscription.renewedAt);
      timeCell(row, subscription.lastNotificationAt);
    }
    const shown = body.querySelectorAll('tr.subscription').length;
    text(
      'subscription-summary',
      `${count(num(result.mailboxes), 'mailbox', 'mailboxes')}, ${count(shown, 'subscription')}${typeof result.next === 'string' ? ' shown so far' : ''}${result.truncated === true ? ' (first ones only)' : ''}.`,
    );
    byId('subscriptions').hidden = false;
  }

  function renderLinks(result: Json, append: boolean): void {
    const totals = obj(result.totals);
    text(
      'link-totals',
      `${count(num(totals.links), 'link')}: ${count(num(totals.conversations), 'conversation')} on ${count(num(totals.issues), 'issue')}, ${num(totals.stale)} stale${result.truncated === true ? ' (counted in part)' : ''}.`,
    );
    const body = byId<HTMLTableSectionElement>('link-rows');
    if (!append) clear(body);
    for (const issue of list(result.items)) {
      const row = body.insertRow();
      cell(row, str(issue.issueKey));
      cell(row, String(num(issue.conversations)), 'num');
      cell(row, staleText(num(issue.stale), obj(issue.staleReason)), num(issue.stale) > 0 ? 'num warn' : 'num');
      cell(row, String(num(issue.linkedBy)), 'num');
      timeCell(row, issue.lastLinkedAt);
    }
    byId('links').hidden = false;
  }

  /** `2 (Jira 404 since …, next try …)`: why the fan-out skips the issue's links, and until when. */
  function staleText(count: number, reason: Json): string {
    if (count === 0) return '0';
    const status = typeof reason.status === 'number' ? `Jira ${reason.status}` : 'Jira refused';
    return `${count} (${status} since ${when(reason.since)}, next try ${when(reason.nextCheckAt)})`;
  }

  /** One mail's chain: received → dropped and why, or matched → per issue what Jira was asked and who heard of it. */
  function renderTrail(result: Json): void {
    const mails = list(result.mails);
    setStatus(
      'trail-summary',
      mails.length === 0
        ? 'No mail with this id was handled in the retention period.'
        : `${count(mails.length, 'mail')}${result.truncated === true ? ' (the latest only)' : ''}.`,
      mails.length === 0 ? 'warn' : 'muted',
    );
    const container = byId('trail-mails');
    clear(container);
    for (const mail of mails) {
      const article = document.createElement('article');
      article.className = 'trail-mail';
      const received = document.createElement('p');
      received.className = 'trail-received';
      received.textContent = `Received ${when(mail.receivedAt)} in the mailbox of ${userLabel(mail.mailboxUserId, mail.mailboxUser)} (subscription ${str(mail.subscriptionId)}).`;
      if (typeof mail.receivedAt === 'string') received.title = absolute(mail.receivedAt);
      article.appendChild(received);
      const verdict = document.createElement('p');
      verdict.className = `trail-outcome ${mail.outcome === 'matched' ? 'ok' : 'warn'}`;
      const issues = list(mail.issues);
      if (mail.outcome === 'matched') verdict.textContent = `Matched ${count(issues.length, 'linked issue')}.`;
      else if (mail.outcome === 'poisoned')
        verdict.textContent = 'Not handled: it failed repeatedly and waits in graph-notifications-poison.';
      else verdict.textContent = `Dropped: ${dropReason(mail.reason)}.`;
      article.appendChild(verdict);
      if (issues.length > 0) {
        const table = document.createElement('table');
        const head = table.createTHead().insertRow();
        for (const title of ['Issue', 'Fan-out', 'Jira', 'Watchers', 'Notified', 'Attempts']) {
          const th = document.createElement('th');
          th.textContent = title;
          head.appendChild(th);
        }
        const body = table.createTBody();
        for (const issue of issues) {
          const delivery = obj(issue.delivery);
          const row = body.insertRow();
          row.className = 'trail-issue';
          cell(row, str(issue.issueKey));
          cell(row, (texts.fanOut as Record<string, string>)[str(issue.fanOut, '')] ?? str(issue.fanOut));
          cell(
            row,
            deliveryText(delivery, issue.poisoned === true),
            issue.poisoned === true || delivery.status === 'failed' ? 'bad' : 'ok',
          );
          cell(row, typeof delivery.watchers === 'number' ? String(delivery.watchers) : '—', 'num');
          const names = Array.isArray(delivery.recipients)
            ? delivery.recipients.filter((name): name is string => typeof name === 'string')
            : [];
          cell(row, names.length > 0 ? names.join(', ') : delivery.reason === 'no_recipients' ? deliveryReason(delivery.reason) : '—');
          cell(row, typeof delivery.attempts === 'number' ? String(delivery.attempts) : '—', 'num');
        }
        article.appendChild(table);
      }
      container.appendChild(article);
    }
  }

  function deliveryText(delivery: Json, poisoned: boolean): string {
    const status = typeof delivery.lastStatus === 'number' ? ` (Jira answered ${delivery.lastStatus})` : '';
    if (poisoned) return `failed repeatedly, waits in jira-notify-poison${status}`;
    if (delivery.status === 'sent') return `notified ${when(delivery.updatedAt)}`;
    if (delivery.status === 'failed') return `gave up: ${deliveryReason(delivery.reason)}${status}`;
    if (delivery.status === 'pending') return `in progress, attempt ${num(delivery.attempts)}${status}`;
    return 'not yet';
  }

  async function section(load: () => Promise<void>, what: string): Promise<void> {
    try {
      await load();
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return;
      showBanner(`The ${what} could not be loaded: ${error instanceof Error ? error.message : 'error'}`);
    }
  }

  /** The instance's fields as last loaded: only what the admin changed is sent. */
  let editing = { displayName: '', baseUrl: '' };

  async function saveInstance(): Promise<void> {
    const displayName = byId<HTMLInputElement>('instance-display-name').value.trim();
    const baseUrl = byId<HTMLInputElement>('instance-base-url').value.trim();
    const changes: Record<string, string> = {};
    if (displayName !== editing.displayName) changes.displayName = displayName;
    if (baseUrl !== editing.baseUrl) changes.baseUrl = baseUrl;
    if (Object.keys(changes).length === 0) {
      setStatus('instance-edit-result', 'Nothing changed.', 'muted');
      return;
    }
    const button = byId<HTMLButtonElement>('instance-save');
    button.disabled = true;
    setStatus('instance-edit-result', 'Saving…', 'muted');
    try {
      await call('instance', { method: 'PATCH', body: changes });
      // Shown as the server now has it, not as typed.
      renderOverview(await call('overview'));
      setStatus('instance-edit-result', 'Saved.', 'ok');
    } catch (error) {
      const detail = error instanceof ApiError && error.detail !== '' ? `: ${error.detail}` : '';
      setStatus('instance-edit-result', `Not saved — ${error instanceof Error ? error.message : 'failed'}${detail}`, 'bad');
    } finally {
      button.disabled = false;
    }
  }

  async function testConnection(): Promise<void> {
    const button = byId<HTMLButtonElement>('test-connection');
    button.disabled = true;
    setStatus('test-result', 'Testing…', 'muted');
    try {
      const result = await call('test-connection', { method: 'POST', body: {} });
      if (result.ok === true)
        setStatus(
          'test-result',
          `Connected: Jira accepts the credential${typeof result.jiraUser === 'string' ? ` as ${result.jiraUser}` : ''}.`,
          'ok',
        );
      else if (result.outcome === 'rejected')
        setStatus(
          'test-result',
          `Rejected by Jira${typeof result.status === 'number' ? ` (HTTP ${result.status})` : ''}${typeof result.code === 'string' ? ` (${result.code})` : ''}.`,
          'bad',
        );
      else if (result.outcome === 'missing') setStatus('test-result', 'No service credential is registered.', 'bad');
      else if (result.outcome === 'unreachable') setStatus('test-result', 'Jira could not be reached.', 'bad');
      else
        setStatus(
          'test-result',
          `Jira answered unexpectedly${typeof result.status === 'number' ? ` (HTTP ${result.status})` : ''}.`,
          'warn',
        );
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 401)) setStatus('test-result', 'The test could not be run.', 'bad');
    } finally {
      button.disabled = false;
    }
  }

  /** The queue whose replay the admin is asked to confirm, after its preview. */
  let pendingReplay: string | undefined;

  /** Asks the API what a replay would move (a dry run: nothing moves), and asks the admin to confirm. */
  async function previewReplay(queue: string, button: HTMLButtonElement): Promise<void> {
    button.disabled = true;
    byId('replay-confirm').hidden = true;
    setStatus('replay-result', `Looking at ${queue}-poison…`, 'muted');
    try {
      const preview = await call('replay-poison', { method: 'POST', body: { queue, dryRun: true } });
      const moving = num(preview.moved);
      if (moving === 0) {
        pendingReplay = undefined;
        setStatus('replay-result', `Nothing of this tenant to move in ${queue}-poison.`, 'muted');
        return;
      }
      pendingReplay = queue;
      text(
        'replay-preview',
        `${count(moving, 'message')}${preview.complete === false ? ' (at least)' : ''} of this tenant will move from ${queue}-poison back to ${queue} and be tried again. Other tenants' messages stay.`,
      );
      setStatus('replay-result', '', 'muted');
      byId('replay-confirm').hidden = false;
      byId('replay-go').focus();
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 401))
        setStatus('replay-result', `The preview failed: ${error instanceof Error ? error.message : 'error'}`, 'bad');
    } finally {
      button.disabled = false;
    }
  }

  async function replay(queue: string): Promise<void> {
    byId('replay-confirm').hidden = true;
    pendingReplay = undefined;
    setStatus('replay-result', `Replaying ${queue}-poison…`, 'muted');
    try {
      const result = await call('replay-poison', { method: 'POST', body: { queue } });
      const left = num(result.leftForLater);
      setStatus(
        'replay-result',
        `Moved ${count(num(result.moved), 'message')} back to ${queue}.${left > 0 ? ` ${count(left, 'message')} failed again and ${left === 1 ? 'stays' : 'stay'}.` : ''}${result.complete === false ? ' There may be more: replay again.' : ''}`,
        'ok',
      );
      await section(async () => renderReport(await call('report')), 'report');
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 401))
        setStatus('replay-result', `The replay failed: ${error instanceof Error ? error.message : 'error'}`, 'bad');
    }
  }

  /** Loads every section again; "Updated … ago" says how fresh the page is. */
  async function refresh(): Promise<void> {
    const button = byId<HTMLButtonElement>('refresh');
    button.disabled = true;
    try {
      await Promise.all([
        section(async () => renderOverview(await call('overview')), 'instance'),
        section(async () => renderReport(await call('report')), 'report'),
        section(() => loadSubscriptions(false), 'subscriptions'),
        section(() => loadLinks(more.links.query, false), 'links'),
      ]);
      showTime(byId('updated'), new Date().toISOString(), 'Updated ');
    } finally {
      button.disabled = false;
    }
  }

  async function loadAll(): Promise<void> {
    await refresh();
    byId('refresh').hidden = false;
    byId('trail').hidden = false;
    await testConnection();
    document.body.dataset.ready = 'true';
  }

  function keepSessionAlive(): void {
    window.setInterval(() => {
      call('session', { method: 'POST' })
        .then((result) => {
          if (typeof result.token === 'string') token = result.token;
        })
        .catch(() => undefined);
    }, RENEW_EVERY_MS);
  }

  document.addEventListener('click', (event) => {
    const target = event.target instanceof Element ? event.target.closest('button') : null;
    if (!target) return;
    if (target.classList.contains('copy')) void copy(target.dataset.copy ?? '', target);
    else if (target.classList.contains('replay')) void previewReplay(target.dataset.queue ?? '', target);
    else if (target.id === 'replay-go' && pendingReplay !== undefined) void replay(pendingReplay);
    else if (target.id === 'replay-cancel') {
      pendingReplay = undefined;
      byId('replay-confirm').hidden = true;
      setStatus('replay-result', 'Nothing moved.', 'muted');
    } else if (target.id === 'refresh') void refresh();
    else if (target.id === 'test-connection') void testConnection();
    else if (target.id === 'subscriptions-more') void section(() => loadSubscriptions(true), 'subscriptions');
    else if (target.id === 'links-more') void section(() => loadLinks(more.links.query, true), 'links');
  });

  byId('link-search').addEventListener('submit', (event) => {
    event.preventDefault();
    const issueKey = byId<HTMLInputElement>('link-issue').value.trim();
    void section(() => loadLinks(issueKey === '' ? {} : { issueKey }, false), 'links');
  });

  byId('instance-edit').addEventListener('submit', (event) => {
    event.preventDefault();
    void saveInstance();
  });

  byId('trail-search').addEventListener('submit', (event) => {
    event.preventDefault();
    const id = byId<HTMLInputElement>('trail-id').value.trim();
    if (id === '') return;
    void section(async () => renderTrail(await call('trail', { query: { id } })), 'trail');
  });

  byId('signin-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const field = byId<HTMLTextAreaElement>('signin-token');
    const bearer = field.value.trim();
    const instance = byId<HTMLInputElement>('signin-instance').value.trim();
    setStatus('signin-result', 'Signing in…', 'muted');
    fetch(`${api}/session?${new URLSearchParams({ instanceId: instance }).toString()}`, {
      method: 'POST',
      headers: { Accept: 'application/json', Authorization: `Bearer ${bearer}` },
      credentials: 'omit',
      cache: 'no-store',
    })
      .then(async (response) => {
        const body = obj(await response.json().catch(() => ({})));
        if (!response.ok || typeof body.token !== 'string') throw new Error(str(body.title, `HTTP ${response.status}`));
        token = body.token;
        // The bearer token is not needed any more; the session token replaces it.
        field.value = '';
        byId('signin').hidden = true;
        setStatus('signin-result', '', 'muted');
        keepSessionAlive();
        return loadAll();
      })
      .catch((error: unknown) => setStatus('signin-result', `Refused: ${error instanceof Error ? error.message : 'error'}`, 'bad'));
  });

  window.setInterval(tick, 30_000);

  if (document.body.dataset.mode === 'panel' && token !== '') {
    keepSessionAlive();
    void loadAll();
  }
}

/** `panel.js`: the function above, run once the document is parsed (the tag has `defer`). */
export const panelScript = `'use strict';\n(${panelMain.toString()})(${JSON.stringify(reasonSentences)});\n`;
