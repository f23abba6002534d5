import { DisconnectedError, TransportError } from './transport-errors';

/** A card reader's slot as the card listeners see it. */
export interface CardPresence {
  readonly present: boolean;
  /** The card's answer to reset, when present. */
  readonly atr?: Buffer;
}

/**
 * One PC/SC reader slot (a social-security card reader on USB, or vpcd's virtual reader), as
 * the readers see it. `path` is the configured reader name.
 *
 * Contract (checked by pcsc-transport.contract.ts against the in-memory fake and against real
 * pcscd with vpcd):
 * - `open()` resolves once PC/SC is reachable and a reader whose name equals `path`, or starts
 *   with it, is present; `readerName` is then the reader's full name. An exact name wins; a
 *   beginning that fits several readers is refused (the wrong desk's reader must never be
 *   picked silently). It rejects with a TransportError: NOT_FOUND (the message names `path`
 *   and the readers that are present), MISSING_LIBRARY (the PC/SC library or pcscd is not
 *   installed / not started: the message says what to install or start), IO (pcscd does not
 *   answer). Opening an open transport rejects with BUSY.
 * - Card listeners are called once with the slot's state, asynchronously after `open()` has
 *   resolved, then at every change: each insertion (with the ATR) and each removal, in order.
 *   A card taken out and put back between two looks is reported as a removal and an insertion.
 * - `connectCard()` powers the card and resolves with its ATR; connecting a connected card
 *   resolves with the same ATR. It rejects with NO_CARD when the slot is empty,
 *   CARD_UNRESPONSIVE when the card does not answer, BUSY when another program holds the card
 *   exclusively, NOT_OPEN when the transport is closed.
 * - `transmit(apdu)` sends one command APDU and resolves with the whole response APDU (data,
 *   SW1, SW2). Commands go to the card one at a time, in call order. It rejects with NOT_OPEN
 *   when the transport is closed or no card is connected, and with CARD_REMOVED when the card
 *   is taken out before or while the command runs: a removal never leaves a transmit hanging.
 *   After a removal the card must be connected again.
 * - `disconnectCard()` ends the card session and resets the card (so that a card authenticated
 *   by one read is not left readable by another program); it is idempotent.
 * - When the reader goes away (unplugged) or PC/SC stops while open, disconnect listeners are
 *   called once with a DisconnectedError (`disconnected: true`); a pending transmit rejects
 *   with that error; the transport is then closed and may be opened again.
 * - `close()` is idempotent; a pending transmit rejects at once with NOT_OPEN; after it no
 *   listener is called. A close we asked for is not a disconnect. `close()` resolves once
 *   everything is released (no timers or handles left that keep Node running); a command the
 *   card is still executing is waited for, since PC/SC cannot abort it.
 */
export interface PcscTransport {
  /** The configured reader name (or its beginning). */
  readonly path: string;
  /** The full name of the reader in use, while open. */
  readonly readerName: string | undefined;
  readonly isOpen: boolean;
  open(): Promise<void>;
  close(): Promise<void>;
  /** Returns a function that removes the listener. */
  onDisconnect(listener: (error: TransportError) => void): () => void;
  /** Returns a function that removes the listener. */
  onCard(listener: (event: CardPresence) => void): () => void;
  connectCard(): Promise<Buffer>;
  transmit(apdu: Buffer): Promise<Buffer>;
  disconnectCard(): Promise<void>;
}

/**
 * The reader a configured name designates among `present`: the one with exactly that name,
 * else the only one whose name starts with it. Throws NOT_FOUND naming the present readers
 * when none (or more than one) fits.
 */
export function matchReader(configured: string, present: readonly string[]): string {
  if (present.includes(configured)) {
    return configured;
  }
  const candidates = present.filter((name) => configured.length > 0 && name.startsWith(configured));
  if (candidates.length === 1) {
    return candidates[0];
  }
  if (candidates.length > 1) {
    throw new TransportError(
      'NOT_FOUND',
      `读卡器名称「${configured}」同时匹配多个读卡器：${candidates.map((n) => `「${n}」`).join('、')}，请在配置中填写完整的读卡器名称`,
    );
  }
  const seen =
    present.length === 0 ? '当前没有任何读卡器' : `当前的读卡器：${present.map((n) => `「${n}」`).join('、')}`;
  return notFound(configured, seen);
}

function notFound(configured: string, seen: string): never {
  throw new TransportError(
    'NOT_FOUND',
    `找不到读卡器「${configured}」（${seen}）：请检查读卡器USB连接、驱动，以及配置中的读卡器名称`,
  );
}

/**
 * The errors both implementations raise, so that the fake says exactly what the real one says.
 * Messages are for hospital IT and desk staff.
 */
export const pcscErrors = {
  /** pcscd's socket is absent: not installed or not started. */
  serviceMissing(socketPath: string, cause?: unknown): TransportError {
    return new TransportError(
      'MISSING_LIBRARY',
      `智能卡服务 pcscd 未运行（找不到 ${socketPath}）：请安装并启动 pcscd（apt-get install pcscd libpcsclite1，然后 systemctl start pcscd.socket 或直接运行 pcscd）`,
      cause,
    );
  },
  /** pcscd's socket is there but nobody answers on it. */
  serviceNotAnswering(socketPath: string, cause?: unknown): TransportError {
    return new TransportError(
      'IO',
      `智能卡服务 pcscd 无响应（${socketPath}）：请重启 pcscd（systemctl restart pcscd 或重新运行 pcscd）`,
      cause,
    );
  },
  notOpen(reader: string): TransportError {
    return new TransportError('NOT_OPEN', `读卡器「${reader}」未打开`);
  },
  alreadyOpen(reader: string): TransportError {
    return new TransportError('BUSY', `读卡器「${reader}」已经打开`);
  },
  notConnected(reader: string): TransportError {
    return new TransportError('NOT_OPEN', `读卡器「${reader}」中的卡片未连接：请先连接卡片`);
  },
  noCard(reader: string): TransportError {
    return new TransportError('NO_CARD', `读卡器「${reader}」中没有卡片：请插入社保卡`);
  },
  /** `unsure`: the card stopped answering in the middle of a command, which is what a removal looks like. */
  cardRemoved(reader: string, cause?: unknown, unsure = false): TransportError {
    const what = unsure ? '读卡过程中社保卡被取出或停止应答' : '读卡过程中社保卡被取出';
    return new TransportError('CARD_REMOVED', `${what}（读卡器「${reader}」）：请重新插入社保卡`, cause);
  },
  cardUnresponsive(reader: string, cause?: unknown): TransportError {
    return new TransportError(
      'CARD_UNRESPONSIVE',
      `读卡器「${reader}」中的卡片无应答：请确认芯片朝向正确、芯片清洁后重新插入`,
      cause,
    );
  },
  cardBusy(reader: string, cause?: unknown): TransportError {
    return new TransportError('BUSY', `读卡器「${reader}」中的卡片正被其他程序独占：请关闭其他读卡软件`, cause);
  },
  readerRemoved(reader: string, cause?: unknown): DisconnectedError {
    return new DisconnectedError(`读卡器「${reader}」已断开：请检查USB连接`, cause);
  },
  serviceStopped(cause?: unknown): DisconnectedError {
    return new DisconnectedError(
      '智能卡服务 pcscd 已停止：请启动 pcscd（systemctl start pcscd.socket 或直接运行 pcscd）',
      cause,
    );
  },
};
