import { RouteConfig } from '@nestjs/platform-fastify';

const LARGE_BODY = 'gatewayLargeBody';

/**
 * Marks a route that carries a file or a batch (a scanned signed form, 100,000 trace codes): it
 * accepts bodies up to `server.largeBodyLimitBytes` instead of `server.bodyLimitBytes`, so the
 * ordinary limit can stay small for everything else.
 */
export const LargeBody = (): MethodDecorator => RouteConfig({ [LARGE_BODY]: true });

/** The part of Fastify this needs (Nest's adapter brings its own copy of Fastify's types). */
interface RouteHooks {
  addHook(name: 'onRoute', hook: (route: { config?: Record<string, unknown>; bodyLimit?: number }) => void): unknown;
}

/** Gives routes marked `@LargeBody()` their limit. Call before the routes are registered (app.init). */
export function applyLargeBodyLimit(fastify: RouteHooks, bytes: number): void {
  fastify.addHook('onRoute', (route) => {
    if (route.config?.[LARGE_BODY] === true) {
      route.bodyLimit = bytes;
    }
  });
}
