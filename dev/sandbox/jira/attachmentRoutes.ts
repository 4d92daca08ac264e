import { pipeline } from 'node:stream/promises';
import { generatedContent } from './generatedContent';
import type { JiraSimulatorRoute, SimulatorContext } from './JiraSimulatorRoute';
import { jiraAnswerHeaders, sendErrorMessages, sendJson } from './simulatorResponses';

/** Attachment download (streamed, generated) and upload (streamed, counted, never kept). */
export function attachmentRoutes(): JiraSimulatorRoute[] {
  return [
    { methods: ['GET'], path: /^\/secure\/attachment\/(\d+)\/([^/]+)$/, auth: 'user', handle: download },
    { methods: ['POST'], path: /^\/rest\/api\/(?:2|latest)\/issue\/([^/]+)\/attachments$/, auth: 'user', handle: upload },
  ];
}

async function download(context: SimulatorContext): Promise<void> {
  const attachment = context.state.attachments.get(context.match[1] ?? '');
  if (!attachment) return sendErrorMessages(context.response, 404, 'The attachment does not exist');
  context.response.writeHead(200, {
    ...jiraAnswerHeaders(),
    'Content-Type': attachment.mimeType,
    'Content-Length': attachment.size,
    'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(attachment.filename)}`,
    ETag: `"${attachment.id}-${attachment.size}"`,
    'Cache-Control': 'private',
  });
  await pipeline(generatedContent(attachment.size), context.response);
}

async function upload(context: SimulatorContext): Promise<void> {
  const issueKey = decodeURIComponent(context.match[1] ?? '');
  if (context.request.headers['x-atlassian-token'] !== 'no-check') {
    context.request.resume();
    return sendErrorMessages(context.response, 403, 'XSRF check failed');
  }
  const contentType = context.request.headers['content-type'] ?? '';
  if (!contentType.startsWith('multipart/form-data')) {
    context.request.resume();
    return sendErrorMessages(context.response, 415, 'Expected multipart/form-data');
  }
  if (!context.state.issues.has(issueKey)) {
    context.request.resume();
    return sendErrorMessages(context.response, 404, 'Issue Does Not Exist');
  }
  let bytes = 0;
  let head = '';
  for await (const chunk of context.request) {
    const buffer = chunk as Buffer;
    if (head.length < 2048) head += buffer.subarray(0, 2048 - head.length).toString('latin1');
    bytes += buffer.length;
  }
  const filename = /filename="([^"]*)"/.exec(head)?.[1];
  context.record.bodyBytes = bytes;
  context.state.uploads.push({ issueKey, bytes, contentType, filename });
  const attachment = context.state.addAttachment({ size: bytes, filename: filename ?? 'upload.bin', issueKey });
  sendJson(context.response, 200, [
    {
      self: `${context.baseUrl}/rest/api/2/attachment/${attachment.id}`,
      id: attachment.id,
      filename: attachment.filename,
      size: bytes,
      mimeType: attachment.mimeType,
    },
  ]);
}
