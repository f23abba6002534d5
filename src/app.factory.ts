import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { DestinationStream } from 'pino';
import { AppModule } from './app.module';
import {
  applyLargeBodyLimit,
  Clock,
  createRootLogger,
  createValidationPipe,
  defaultConsoleDir,
  GatewayConfig,
  gatewayVersion,
  harvestSensitiveValues,
  MetricsService,
  PiiValueRegistry,
  registerConsolePages,
  registerRateLimits,
  secureTransport,
  tlsServerOptions,
} from './platform';

export interface CreateAppOptions {
  /** Log destination (tests capture it); stdout by default. */
  logDestination?: DestinationStream;
  clock?: Clock;
  /** The built web console (dist/console by default; tests pass their own). */
  consoleDir?: string;
}

const INCOMING_REQUEST_ID = /^[A-Za-z0-9._:-]{8,64}$/;

/** Builds the gateway application (not yet listening). Used by main.ts and by the e2e tests. */
export async function createApp(
  config: GatewayConfig,
  options: CreateAppOptions = {},
): Promise<NestFastifyApplication> {
  const piiValues = new PiiValueRegistry();
  const logger = createRootLogger({
    level: config.logging.level,
    destination: options.logDestination,
    registry: piiValues,
  });

  // HTTPS and mutual TLS (server.tls); throws TlsSetupError saying which file is wrong and what to do.
  const tls = tlsServerOptions(config.server.tls);
  for (const warning of tls?.warnings ?? []) {
    logger.warn(warning);
  }

  const adapter = new FastifyAdapter({
    ...(tls ? { https: tls.options } : {}),
    trustProxy: config.server.trustProxy,
    bodyLimit: config.server.bodyLimitBytes,
    // HIS may send its own id for tracing across systems; otherwise one is made here.
    genReqId: (req: IncomingMessage) => {
      const incoming = req.headers['x-request-id'];
      const id = typeof incoming === 'string' && INCOMING_REQUEST_ID.test(incoming) ? incoming : randomUUID();
      (req as IncomingMessage & { gwRequestId?: string }).gwRequestId = id;
      return id;
    },
  });

  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot({ config, logger, piiValues, clock: options.clock }),
    adapter,
    {
      bufferLogs: true,
      abortOnError: false,
    },
  );
  app.useLogger(app.get(Logger));
  app.flushLogs();
  // Security headers on every answer, before any route exists; mutual TLS refusals.
  await secureTransport(app, config.server.tls, logger);
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();

  const fastify = app.getHttpAdapter().getInstance();
  const metrics = app.get(MetricsService);
  applyLargeBodyLimit(fastify, config.server.largeBodyLimitBytes);

  fastify.addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', String(request.id));
  });
  registerRateLimits(app, config);

  // Once the body is parsed: remember its personal values so the log redactor can remove
  // them from every line of this request, and log the body itself when asked to.
  fastify.addHook('preValidation', async (request) => {
    const values = new Set<string>();
    harvestSensitiveValues(request.query, values);
    harvestSensitiveValues(request.body, values);
    if (values.size > 0) {
      piiValues.add(String(request.id), values);
    }
    if (config.logging.requestBodies && request.body !== undefined && request.body !== null) {
      logger.debug({ reqId: String(request.id), body: request.body }, 'request body');
    }
  });

  fastify.addHook('onResponse', async (request, reply) => {
    metrics.observeHttp(
      request.method,
      request.routeOptions.url ?? 'unmatched',
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
    const id = String(request.id);
    // pino-http writes its "request completed" line on the same event; let it go first.
    setTimeout(() => piiValues.release(id), 1000).unref();
  });

  registerConsolePages(app, options.consoleDir ?? defaultConsoleDir());

  if (config.apiDocs.enabled) {
    setupApiDocs(app, config);
  }
  return app;
}

function setupApiDocs(app: NestFastifyApplication, config: GatewayConfig): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('宁夏工伤保险医院网关 API')
      .setDescription(
        `HTTP API of the hospital-side gateway for ${config.hospital.name}. ` +
          'Every /api/v1 endpoint needs `Authorization: Bearer <API key>` with the scope it names ' +
          '(or, from the console, the `gw_staff` session cookie of a staff member whose roles give the scope, ' +
          'with `x-csrf-token` on POST, PUT, PATCH and DELETE; see docs/console.md). ' +
          'Errors answer `{ code, message, details?, correlationId }`: branch on the English `code`; `message` is Chinese for desk staff.',
      )
      .setVersion(gatewayVersion())
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'API key: gwk_<id>_<secret>' }, 'apiKey')
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, {
    jsonDocumentUrl: 'api/docs-json',
    yamlDocumentUrl: 'api/docs-yaml',
  });
}
