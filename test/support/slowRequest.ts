import { connect, type Socket } from 'node:net';
import { parseRawResponse, type RawResponse } from './parseRawResponse';

export interface SlowRequestInit {
  port: number;
  /** Request line and headers, without the blank line; include `Content-Length`. */
  head: string[];
  /** Bytes to trickle after the head. */
  body: Buffer;
  /** One byte every `intervalMs`. */
  intervalMs: number;
  /** After this many bytes the client goes silent (keeps the connection open, sends nothing). */
  stallAfter?: number;
}

export interface SlowRequest {
  /** Settles when the server answers or closes the connection: what it did, and after how long. */
  outcome: Promise<{ response: RawResponse | undefined; closedBy: 'server' | 'client'; afterMs: number; bytesSent: number }>;
  /** Whether the connection is still open. */
  readonly open: boolean;
  bytesSent(): number;
  /** Stops trickling and closes the connection from our side. */
  abort(): void;
}

/**
 * A client that sends its body a byte at a time (slowloris on the body), or stops half-way
 * and waits: what a slow or hostile client does to a server that waits for bodies.
 */
export function slowRequest(init: SlowRequestInit): SlowRequest {
  const started = Date.now();
  const socket: Socket = connect(init.port, '127.0.0.1');
  let received = '';
  let sent = 0;
  let open = true;
  let closedByUs = false;
  let timer: NodeJS.Timeout | undefined;
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => (received += chunk));
  socket.on('error', () => undefined);

  const outcome = new Promise<{ response: RawResponse | undefined; closedBy: 'server' | 'client'; afterMs: number; bytesSent: number }>(
    (resolve) => {
      socket.once('close', () => {
        open = false;
        clearInterval(timer);
        resolve({
          response: received === '' ? undefined : parseRawResponse(received),
          closedBy: closedByUs ? 'client' : 'server',
          afterMs: Date.now() - started,
          bytesSent: sent,
        });
      });
    },
  );

  socket.once('connect', () => {
    socket.write(`${init.head.join('\r\n')}\r\n\r\n`, 'latin1');
    timer = setInterval(() => {
      if (sent >= init.body.length || (init.stallAfter !== undefined && sent >= init.stallAfter)) {
        clearInterval(timer);
        return;
      }
      socket.write(init.body.subarray(sent, sent + 1));
      sent += 1;
    }, init.intervalMs);
  });

  return {
    outcome,
    get open() {
      return open;
    },
    bytesSent: () => sent,
    abort: () => {
      closedByUs = true;
      clearInterval(timer);
      socket.destroy();
    },
  };
}
