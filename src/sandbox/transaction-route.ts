import { FastifyInstance } from 'fastify';
import { FaultControl } from './faults';
import { Listener } from './listener';
import { MessageStore } from './message-store';
import { TransactionProcessor } from './processor';

/**
 * POST /api/transaction: the insurer's only business endpoint. Faults are applied around the
 * processor in the order a real failure would happen: slow network, overloaded front end
 * (503, nothing processed), a back end that never answers, a reply lost after commit, a settlement
 * reply garbled on its way out (stored right).
 */
export interface TransactionRouteDeps {
  processor: TransactionProcessor;
  faults: FaultControl;
  messages: MessageStore;
  listener: Listener;
  /** Resolves true after `ms`, or false at once when the insurer stops meanwhile. */
  delay: (ms: number) => Promise<boolean>;
}

export function registerTransactionRoute(app: FastifyInstance, deps: TransactionRouteDeps): void {
  const { processor, faults, messages, listener } = deps;
  app.post('/api/transaction', async (request, reply) => {
    const latency = faults.latencyNow();
    if (latency > 0 && !(await deps.delay(latency))) {
      reply.hijack();
      request.raw.socket.destroy();
      return;
    }
    if (faults.failNow()) {
      messages.count('unavailable');
      return reply.code(503).header('retry-after', '1').send({
        statusCode: 503,
        error: 'Service Unavailable',
        message: '服务繁忙，请稍后重试（沙箱故障注入，报文未处理）',
      });
    }
    if (faults.get().timeout) {
      messages.count('held');
      reply.hijack();
      listener.hold(request.raw.socket);
      return;
    }
    const result = processor.process(request.body);
    if (faults.dropNow()) {
      // Committed (if it was processed), but the hospital never hears: outcome UNKNOWN.
      messages.count('dropped');
      reply.hijack();
      request.raw.socket.destroy();
      return;
    }
    const garbled = faults.garbleNow() ? processor.garbledSplit(result.reply) : undefined;
    return reply.send(garbled ?? result.reply);
  });
}
