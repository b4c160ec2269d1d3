import type { Socket } from 'node:net';
import type { BrokerState, HandlerResult, ResponseBody } from '../handlers/context';
import { dispatch } from '../handlers/dispatch';
import { errorMessage } from '../logger';
import { ProtocolError } from '../protocol/errors';
import { Reader } from '../protocol/reader';
import { readRequestHeader, type RequestHeader } from '../protocol/request-header';
import { FrameDecoder } from './frame-decoder';

/** Stop reading from a client that has this many requests queued... */
const MAX_QUEUED_FRAMES = 64;
/** ...or when this much response data waits to be sent. */
const MAX_PENDING_WRITE_BYTES = 32 * 1024 * 1024;

/**
 * One client connection. Requests are handled strictly one after another, as Kafka does: the next
 * request is not looked at before the previous one has its response (which may be held, e.g. a
 * long-polling Fetch or a JoinGroup barrier), so responses always go out in request order.
 */
export class Connection {
  private readonly decoder: FrameDecoder;
  private readonly queue: Buffer[] = [];
  private busy = false;
  private paused = false;
  private closed = false;
  private readonly closeListeners = new Set<() => void>();
  readonly remote: string;

  constructor(
    private readonly socket: Socket,
    private readonly broker: BrokerState,
    private readonly onClosed: (connection: Connection) => void,
  ) {
    this.decoder = new FrameDecoder(broker.config.maxFrameBytes);
    this.remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.pump());
    socket.on('error', () => {
      // A reset or broken pipe: 'close' follows and cleans up.
    });
    socket.on('close', () => this.cleanup());
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    this.decoder.push(chunk);
    try {
      for (let frame = this.decoder.next(); frame !== null; frame = this.decoder.next()) this.queue.push(frame);
    } catch (error) {
      this.fail(error);
      return;
    }
    if (this.queue.length >= MAX_QUEUED_FRAMES && !this.paused) {
      this.paused = true;
      this.socket.pause();
    }
    this.pump();
  }

  private pump(): void {
    while (!this.busy && !this.closed && this.queue.length > 0) {
      if (this.socket.writableLength > MAX_PENDING_WRITE_BYTES) return; // resumed on 'drain'
      const frame = this.queue.shift() as Buffer;
      let header: RequestHeader;
      let result: HandlerResult;
      try {
        const reader = new Reader(frame);
        header = readRequestHeader(reader);
        result = dispatch(
          { header, reader, clientHost: this.socket.remoteAddress ?? '', onClose: (cb) => this.addCloseListener(cb) },
          this.broker,
        );
      } catch (error) {
        this.fail(error);
        return;
      }
      if (result instanceof Promise) {
        this.busy = true;
        const held = header;
        result.then(
          (body) => {
            this.busy = false;
            try {
              this.respond(held, body);
            } catch (error) {
              this.fail(error);
              return;
            }
            this.pump();
          },
          (error: unknown) => this.fail(error),
        );
        return;
      }
      try {
        this.respond(header, result);
      } catch (error) {
        this.fail(error);
        return;
      }
    }
    if (this.paused && this.queue.length < MAX_QUEUED_FRAMES / 2 && !this.closed) {
      this.paused = false;
      this.socket.resume();
    }
  }

  private respond(header: RequestHeader, body: ResponseBody): void {
    if (body === null || this.closed) return;
    const chunks = body.finish();
    let length = 4;
    for (const chunk of chunks) length += chunk.length;
    // Response header v0 for every API we speak (ApiVersions always; no flexible response otherwise).
    const prefix = Buffer.allocUnsafe(8);
    prefix.writeInt32BE(length, 0);
    prefix.writeInt32BE(header.correlationId, 4);
    if (chunks.length === 1 && length < 16 * 1024) {
      this.socket.write(Buffer.concat([prefix, chunks[0] as Buffer], length + 4));
      return;
    }
    this.socket.cork();
    this.socket.write(prefix);
    for (const chunk of chunks) this.socket.write(chunk);
    this.socket.uncork();
  }

  private addCloseListener(callback: () => void): () => void {
    if (this.closed) {
      queueMicrotask(callback);
      return () => {};
    }
    this.closeListeners.add(callback);
    return () => this.closeListeners.delete(callback);
  }

  /** Logs one line and drops this connection only. */
  private fail(error: unknown): void {
    if (this.closed) return;
    const expected = error instanceof ProtocolError;
    const log = expected ? this.broker.logger.warn : this.broker.logger.error;
    log.call(this.broker.logger, 'closing connection after bad request', {
      remote: this.remote,
      reason: errorMessage(error),
    });
    this.socket.destroy();
    this.cleanup();
  }

  close(): void {
    this.socket.destroy();
    this.cleanup();
  }

  private cleanup(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue.length = 0;
    for (const listener of this.closeListeners) listener();
    this.closeListeners.clear();
    this.onClosed(this);
  }
}
