import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { uuidv7 } from '../ids';
import { PiiCryptoService } from '../pii/pii-crypto.service';
import { ClusterMessageRepository } from './cluster-message.repository';
import { clusterChannel, postgresUrlOf, schemaOf } from './cluster-names';
import { type ListenerStatus, PgListener } from './pg-listener';

/** A notification's payload stays under PostgreSQL's 8000-byte limit; a larger message goes through cluster_message. */
export const NOTIFY_INLINE_LIMIT = 7_000;

const SEAL_CONTEXT = 'cluster-message';

type Handler = (body: unknown) => void;

/** What travels in a notification: the sender, the topic, and the sealed body or the row holding it. */
interface Envelope {
  o: string;
  t: string;
  s?: string;
  r?: string;
}

/**
 * Messages between the gateway instances that share one PostgreSQL (LISTEN/NOTIFY; no other
 * component): `publish(topic, body)` reaches the `subscribe(topic, …)` handlers of every *other*
 * instance — never this one's own (the publisher delivers locally itself, so each receiver gets a
 * message once). Bodies are sealed with the PII key (AES-GCM) before they reach PostgreSQL: a
 * notification or a stored row never holds personal data in clear. Messages go out in the order
 * they were published. A receiver that was disconnected misses what was sent meanwhile.
 *
 * On SQLite the gateway is one instance: `shared` is false and publish does nothing.
 */
@Injectable()
export class ClusterBus implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(ClusterBus.name);
  /** This process among the instances. */
  readonly instanceId = randomUUID();
  private readonly handlers = new Map<string, Set<Handler>>();
  private readonly url: string | undefined;
  private readonly channel: string;
  private listener: PgListener | undefined;
  private tail: Promise<void> = Promise.resolve();
  private inbox: Promise<void> = Promise.resolve();

  constructor(
    private readonly dataSource: DataSource,
    private readonly pii: PiiCryptoService,
    private readonly messages: ClusterMessageRepository,
  ) {
    this.url = postgresUrlOf(dataSource);
    this.channel = clusterChannel(schemaOf(dataSource));
  }

  /** Other instances may share the database (PostgreSQL). */
  get shared(): boolean {
    return this.url !== undefined;
  }

  /** The LISTEN connection's state; undefined on SQLite. */
  get status(): ListenerStatus | undefined {
    return this.listener?.status;
  }

  async onModuleInit(): Promise<void> {
    if (this.url === undefined) {
      return;
    }
    let wasDown = false;
    this.listener = new PgListener({
      connectionString: this.url,
      channel: this.channel,
      onNotification: (payload) => this.receive(payload),
      onState: (s) => {
        if (s.state === 'reconnecting') {
          wasDown = true;
          this.logger.warn(
            { attempt: s.attempts, reason: s.lastError },
            `cluster: the LISTEN connection to PostgreSQL is down (${s.lastError ?? 'unknown'}); reconnecting (attempt ${s.attempts})`,
          );
        } else if (s.state === 'listening') {
          const message = wasDown
            ? 'cluster: LISTEN connection to PostgreSQL is back; events of other instances arrive again'
            : `cluster: listening for other instances on channel ${this.channel}`;
          this.logger.log(message);
          wasDown = false;
        }
      },
    });
    await this.listener.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.tail;
    await this.listener?.stop();
  }

  subscribe(topic: string, handler: Handler): () => void {
    let set = this.handlers.get(topic);
    if (!set) {
      set = new Set();
      this.handlers.set(topic, set);
    }
    set.add(handler);
    return () => set.delete(handler);
  }

  /**
   * Sends `body` (JSON) to the other instances' handlers of `topic`; returns at once (messages leave
   * one after the other). A failure is logged: the event is lost for the other instances only.
   */
  publish(topic: string, body: unknown): void {
    if (this.url === undefined) {
      return;
    }
    const sealed = this.pii.encrypt(JSON.stringify(body), SEAL_CONTEXT);
    this.tail = this.tail
      .then(() => this.send(topic, sealed))
      .catch((e: unknown) =>
        this.logger.warn({ err: e, topic }, `cluster: could not pass a ${topic} message to the other instances`),
      );
  }

  /** Waits until everything published so far has left (tests, shutdown). */
  flush(): Promise<void> {
    return this.tail;
  }

  private async send(topic: string, sealed: string): Promise<void> {
    const inline = JSON.stringify({ o: this.instanceId, t: topic, s: sealed } satisfies Envelope);
    if (Buffer.byteLength(inline) <= NOTIFY_INLINE_LIMIT) {
      await this.messages.notify(this.channel, inline);
      return;
    }
    const id = uuidv7();
    await this.messages.insert({ id, topic, origin: this.instanceId, body: sealed, createdAt: new Date() });
    await this.messages.notify(
      this.channel,
      JSON.stringify({ o: this.instanceId, t: topic, r: id } satisfies Envelope),
    );
  }

  private receive(payload: string): void {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(payload) as Envelope;
    } catch {
      this.logger.warn('cluster: a notification that is not a gateway message was ignored');
      return;
    }
    if (envelope.o === this.instanceId || !this.handlers.get(envelope.t)?.size) {
      return;
    }
    // In the order sent: a message read from the table holds back the ones after it.
    const topic = envelope.t;
    const id = envelope.r;
    const sealed =
      envelope.s !== undefined ? Promise.resolve(envelope.s) : id !== undefined ? this.messages.body(id) : undefined;
    if (!sealed) {
      return;
    }
    this.inbox = this.inbox
      .then(() => sealed)
      .then((body) =>
        body === undefined
          ? this.logger.warn({ id }, 'cluster: a stored message was gone before it could be read')
          : this.deliver(topic, body),
      )
      .catch((e: unknown) => this.logger.warn({ err: e, id }, 'cluster: could not read a stored message'));
  }

  private deliver(topic: string, sealed: string): void {
    let body: unknown;
    try {
      body = JSON.parse(this.pii.decrypt(sealed, SEAL_CONTEXT));
    } catch (e) {
      this.logger.warn({ err: e, topic }, 'cluster: a message could not be opened (another keyring?)');
      return;
    }
    for (const handler of this.handlers.get(topic) ?? []) {
      try {
        handler(body);
      } catch (e) {
        this.logger.error({ err: e, topic }, `cluster: a ${topic} handler failed`);
      }
    }
  }
}
