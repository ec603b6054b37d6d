import { Injectable, NestMiddleware } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MetricsService } from './metrics.service';

/** The parts of an Express request this middleware reads (the project has no express typings). */
type RoutedRequest = IncomingMessage & { method: string; baseUrl: string; route?: { path: string } };

/** Label of requests that matched no route: raw paths would make one series per URL. */
const UNMATCHED_ROUTE = 'unmatched';

/**
 * Times every request into the HTTP duration histogram. A middleware rather than an
 * interceptor so that requests the auth guard or the rate limit turn away are measured too.
 */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  constructor(private readonly metrics: MetricsService) {}

  use(req: RoutedRequest, res: ServerResponse, next: () => void): void {
    const observe = this.metrics.startHttpRequestTimer();
    // Nest mounts module middleware as an Express route ('/*'), so a request that no controller
    // matched still ends with a route on it: this middleware's own pattern.
    const middlewarePattern = req.route?.path;
    res.once('finish', () => {
      const route = req.route && req.route.path !== middlewarePattern ? `${req.baseUrl}${req.route.path}` : UNMATCHED_ROUTE;
      observe({ method: req.method, route, status_code: res.statusCode });
    });
    next();
  }
}
