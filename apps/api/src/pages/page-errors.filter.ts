import { ServerResponse } from 'node:http';
import { ArgumentsHost, Catch, ExceptionFilter, Injectable, Logger } from '@nestjs/common';
import { ApiRequest, pathOf } from '../http/api-request';
import { problemFor } from '../http/problem-details.filter';
import { requestIdFor } from '../http/request-id';
import { statusPage } from './checkout/checkout-page.view';
import { PageAssets } from './page-assets';
import { sendPage } from './page-responses';

function wordsFor(status: number, requestId: string): { title: string; message: string } {
  if (status === 404) return { title: 'Page not found', message: 'There is nothing at this address: the link may be mistyped or no longer valid.' };
  if (status === 403) return { title: 'The form could not be sent', message: 'It did not come from this page. Reload the page and try again.' };
  if (status === 409 || status === 410) return { title: 'This can no longer be done', message: 'Reload the page to see where things stand.' };
  if (status < 500) return { title: 'The form could not be read', message: 'Reload the page and try again.' };
  return { title: 'Something went wrong on our side', message: `Try again in a moment. If it keeps happening, quote this reference: ${requestId}.` };
}

/**
 * Errors of the pages as pages, not problem details: a person reads them. The status is the one
 * the API would answer, and internals stay in the log (5xx, as the API's filter logs them).
 */
@Catch()
@Injectable()
export class PageErrorsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Pages');

  constructor(private readonly assets: PageAssets) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<ApiRequest>();
    const response = http.getResponse<ServerResponse>();
    const requestId = requestIdFor(request, response);
    const { status } = problemFor(exception);
    if (status >= 500) this.logger.error(`${request.method} ${pathOf(request)} request_id=${requestId}: ${String(exception)}`, exception instanceof Error ? exception.stack : undefined);
    if (response.headersSent) {
      response.destroy();
      return;
    }
    sendPage(response, status, statusPage(this.assets, { ...wordsFor(status, requestId), tone: status >= 500 ? 'warn' : 'bad' }));
  }
}
