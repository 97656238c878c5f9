/**
 * Request/reply over a message channel (a webview's postMessage pair). Pure: no vscode, no DOM, so the host,
 * the webview and the unit tests share it.
 */
import {
  isHostMessage,
  isRequestMessage,
  type AnyRequestMap,
  type EventMap,
  type HostToWebview,
  type ProtocolError,
  type RequestMap,
  type WebviewToHost,
} from './messages';

/** One side of a message channel. `listen` returns a function that stops listening. */
export interface Channel<Out, In> {
  post(message: Out): void;
  listen(handler: (message: In) => void): () => void;
}

export class RpcError extends Error {
  readonly code: string;
  constructor(error: ProtocolError) {
    super(error.message);
    this.name = 'RpcError';
    this.code = error.code;
  }
}

type Handler<R extends AnyRequestMap<R>, M extends keyof R> = (params: R[M]['params']) => Promise<R[M]['result']> | R[M]['result'];
/** One handler per request of a panel's request map (the dataset report's by default). */
export type Handlers<R extends AnyRequestMap<R> = RequestMap> = { [M in keyof R]: Handler<R, M> };
type AnyHandler = (params: unknown) => unknown;

/**
 * The host side: answers every request with a reply, turns thrown errors into error replies, and holds events
 * back until the webview has sent `ready` (the handshake), then delivers them in order. Typed by the panel's
 * request and event maps (the dataset report's by default, the selection report's for that panel).
 */
export class RpcServer<R extends AnyRequestMap<R> = RequestMap, E = EventMap> {
  private isReady = false;
  private readonly pending: HostToWebview[] = [];
  private readonly stop: () => void;
  private disposed = false;

  constructor(
    private readonly channel: Channel<HostToWebview, unknown>,
    private readonly handlers: Handlers<R>,
  ) {
    this.stop = channel.listen((m) => void this.receive(m));
  }

  get ready(): boolean {
    return this.isReady;
  }

  /** Posts an event now if the webview is ready, otherwise after its `ready`. */
  emit<K extends keyof E & string>(event: K, data: E[K]): void {
    const msg = { kind: 'event', event, data } as unknown as HostToWebview;
    if (this.isReady) this.channel.post(msg);
    else this.pending.push(msg);
  }

  /**
   * A webview that reloads (hidden and shown again, or restored) says `ready` again and its reply carries the
   * whole state: drop what was queued and hold new events until then.
   */
  reset(): void {
    this.isReady = false;
    this.pending.length = 0;
  }

  dispose(): void {
    this.disposed = true;
    this.stop();
  }

  private async receive(m: unknown): Promise<void> {
    if (!isRequestMessage(m)) return;
    const req = m as WebviewToHost;
    const handler = (this.handlers as unknown as Record<string, AnyHandler | undefined>)[req.method];
    let reply: HostToWebview;
    if (!handler || !Object.prototype.hasOwnProperty.call(this.handlers, req.method)) {
      reply = { kind: 'reply', id: req.id, ok: false, error: { code: 'unknown-method', message: `unknown request "${req.method}"` } };
    } else {
      try {
        const value = await handler(req.params);
        reply = { kind: 'reply', id: req.id, ok: true, value };
      } catch (e) {
        reply = { kind: 'reply', id: req.id, ok: false, error: { code: 'failed', message: e instanceof Error ? e.message : String(e) } };
      }
    }
    if (this.disposed) return;
    this.channel.post(reply);
    if (req.method === 'ready' && reply.ok) {
      this.isReady = true;
      for (const msg of this.pending.splice(0)) this.channel.post(msg);
    }
  }
}

/** The webview side: numbered requests, promises settled by the matching reply, event subscriptions. */
export class RpcClient<R extends AnyRequestMap<R> = RequestMap, E = EventMap> {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly listeners = new Map<string, Set<(data: unknown) => void>>();
  private readonly stop: () => void;

  constructor(private readonly channel: Channel<WebviewToHost, unknown>) {
    this.stop = channel.listen((m) => this.receive(m));
  }

  request<M extends keyof R & string>(method: M, params: R[M]['params']): Promise<R[M]['result']> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.channel.post({ kind: 'request', id, method, params } as unknown as WebviewToHost);
    });
  }

  on<K extends keyof E & string>(event: K, handler: (data: E[K]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(handler as (data: unknown) => void);
    return () => set!.delete(handler as (data: unknown) => void);
  }

  dispose(): void {
    this.stop();
    for (const w of this.waiting.values()) w.reject(new RpcError({ code: 'disposed', message: 'the report was closed' }));
    this.waiting.clear();
  }

  private receive(m: unknown): void {
    if (!isHostMessage(m)) return;
    if (m.kind === 'reply') {
      const w = this.waiting.get(m.id);
      if (!w) return;
      this.waiting.delete(m.id);
      if (m.ok) w.resolve(m.value);
      else w.reject(new RpcError(m.error));
    } else {
      for (const h of this.listeners.get(m.event) ?? []) h(m.data);
    }
  }
}
