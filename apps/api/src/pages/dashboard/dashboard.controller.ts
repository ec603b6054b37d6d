import { ServerResponse } from 'node:http';
import { Controller, Get, Headers, Inject, Param, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiConsumes, ApiExcludeController } from '@nestjs/swagger';
import { SETTINGS, Settings } from '@payments/orchestration';
import { EventStreams } from '../../events/event-streams';
import { POSITION } from '../../events/events.dto';
import { ApiRequest } from '../../http/api-request';
import { Public, TOKEN_RESOLVER, TokenResolver } from '../../http/principal';
import { statusPage } from '../checkout/checkout-page.view';
import { PageAssets } from '../page-assets';
import { PageErrorsFilter } from '../page-errors.filter';
import { isHttps, isSameOriginPost, redirect, sendPage } from '../page-responses';
import { processorsMain, routesMain, webhooksMain } from './account-pages.view';
import { DashboardReads } from './dashboard-reads';
import { DashboardPage, dashboardDocument, signInPage } from './dashboard-layout.view';
import { DashboardSession, DashboardSessions } from './dashboard-sessions';
import { paymentMain, paymentsMain } from './payments.view';

const PAYMENTS_PER_PAGE = 25;

/**
 * The operator dashboard (API.md "Pages"): sign in with the account's secret token, then its
 * payments with the timeline of each cascade, its routes with their references, its
 * processors' approval rates and latencies, its webhook deliveries, and live updates from the
 * event stream over a cookie-authenticated SSE route (EventSource cannot send an Authorization
 * header). Server-rendered, read through the API's own readers and presenters; dashboard.js
 * adds the live updates and the charts.
 */
@ApiExcludeController()
@Public()
@UseFilters(PageErrorsFilter)
@Controller('dashboard')
export class DashboardController {
  constructor(
    private readonly sessions: DashboardSessions,
    private readonly reads: DashboardReads,
    private readonly streams: EventStreams,
    private readonly assets: PageAssets,
    @Inject(TOKEN_RESOLVER) private readonly tokens: TokenResolver,
    @Inject(SETTINGS) private readonly settings: Settings,
  ) {}

  @Get()
  async payments(@Req() request: ApiRequest, @Query('page') page: string | undefined, @Query('as_of') asOf: string | undefined, @Res() response: ServerResponse): Promise<void> {
    const session = this.sessions.sessionOf(request.headers.cookie);
    if (!session) return sendPage(response, 200, signInPage(this.assets));
    await this.reads.caughtUpTo(asOf);
    const number = /^[1-9]\d{0,5}$/.test(page ?? '') ? Number(page) : 1;
    const liveAfter = this.reads.liveAfter();
    const [data, processorName] = await Promise.all([this.reads.paymentsPage(session.accountId, number, PAYMENTS_PER_PAGE), this.reads.processorNames(session.accountId)]);
    await this.send(response, session, { title: 'Payments', section: 'payments', main: paymentsMain(data, processorName), liveAfter });
  }

  @Post('sign-in')
  @ApiConsumes('application/x-www-form-urlencoded')
  async signIn(@Req() request: ApiRequest, @Res() response: ServerResponse): Promise<void> {
    if (!isSameOriginPost(request, this.settings.publicUrl)) return this.refuseForm(response);
    const body = request.body as Record<string, unknown> | undefined;
    const token = typeof body?.token === 'string' ? body.token.trim() : '';
    const principal = token === '' ? undefined : await this.tokens.resolve(token);
    if (principal?.kind !== 'secret') {
      const error = token === '' ? 'Enter the secret token' : principal ? 'This is not a secret token: sign in with the one that starts st_' : 'This token is not valid';
      return sendPage(response, 401, signInPage(this.assets, error));
    }
    redirect(response, '/dashboard', {}, { 'Set-Cookie': this.sessions.signIn(principal.accountId, principal.tokenId, isHttps(request, this.settings.publicUrl)) });
  }

  @Post('sign-out')
  @ApiConsumes('application/x-www-form-urlencoded')
  signOut(@Req() request: ApiRequest, @Res() response: ServerResponse): void {
    if (!isSameOriginPost(request, this.settings.publicUrl)) return this.refuseForm(response);
    redirect(response, '/dashboard', {}, { 'Set-Cookie': this.sessions.signOut(isHttps(request, this.settings.publicUrl)) });
  }

  @Get('payments/:id')
  async payment(@Req() request: ApiRequest, @Param('id') id: string, @Query('as_of') asOf: string | undefined, @Res() response: ServerResponse): Promise<void> {
    const session = this.signedIn(request, response);
    if (!session) return;
    await this.reads.caughtUpTo(asOf);
    const liveAfter = this.reads.liveAfter();
    const processorName = await this.reads.processorNames(session.accountId);
    const { payment, timeline } = await this.reads.payment(session.accountId, id, processorName);
    await this.send(response, session, { title: `Payment ${payment.id}`, section: 'payments', main: paymentMain(payment, timeline, processorName), liveAfter });
  }

  @Get('routes')
  async routes(@Req() request: ApiRequest, @Query('as_of') asOf: string | undefined, @Res() response: ServerResponse): Promise<void> {
    const session = this.signedIn(request, response);
    if (!session) return;
    await this.reads.caughtUpTo(asOf);
    const liveAfter = this.reads.liveAfter();
    const [routes, processorName] = await Promise.all([this.reads.routes(session.accountId), this.reads.processorNames(session.accountId)]);
    await this.send(response, session, { title: 'Routes', section: 'routes', main: routesMain(routes, processorName), liveAfter });
  }

  @Get('processors')
  async processors(@Req() request: ApiRequest, @Query('as_of') asOf: string | undefined, @Res() response: ServerResponse): Promise<void> {
    const session = this.signedIn(request, response);
    if (!session) return;
    await this.reads.caughtUpTo(asOf);
    const liveAfter = this.reads.liveAfter();
    const { rows, window } = await this.reads.processors(session.accountId);
    await this.send(response, session, { title: 'Processors', section: 'processors', main: processorsMain(rows, window), liveAfter, scripts: ['chart.js'] });
  }

  @Get('webhooks')
  async webhooks(@Req() request: ApiRequest, @Query('as_of') asOf: string | undefined, @Res() response: ServerResponse): Promise<void> {
    const session = this.signedIn(request, response);
    if (!session) return;
    await this.reads.caughtUpTo(asOf);
    const liveAfter = this.reads.liveAfter();
    await this.send(response, session, { title: 'Webhooks', section: 'webhooks', main: webhooksMain(await this.reads.webhooks(session.accountId)), liveAfter });
  }

  /**
   * The account's events as server-sent events, for the pages' live updates: the same stream as
   * GET /v1/events/stream, authenticated by the session cookie, every block a plain `message`.
   * Resumes after Last-Event-ID (EventSource's reconnect), else `after` (the position the page
   * is as of), else from where the read models are now.
   */
  @Get('events')
  events(@Req() request: ApiRequest, @Headers('last-event-id') lastEventId: string | undefined, @Query('after') after: string | undefined, @Res() response: ServerResponse): void {
    const session = this.sessions.sessionOf(request.headers.cookie);
    if (!session) {
      response.writeHead(401, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
      response.end('Sign in to the dashboard first.\n');
      return;
    }
    const resume = [lastEventId, after].find((position) => position !== undefined && POSITION.test(position));
    this.streams.open(response, { accountId: session.accountId }, resume === undefined ? this.reads.liveAfter() : BigInt(resume), { asMessages: true });
  }

  /** The session of a signed-in request; else undefined, after sending the browser to sign in. */
  private signedIn(request: ApiRequest, response: ServerResponse): DashboardSession | undefined {
    const session = this.sessions.sessionOf(request.headers.cookie);
    if (!session) redirect(response, '/dashboard');
    return session;
  }

  private async send(response: ServerResponse, session: DashboardSession, page: Omit<DashboardPage, 'accountName'>): Promise<void> {
    sendPage(response, 200, dashboardDocument(this.assets, { ...page, accountName: await this.reads.accountName(session.accountId) }));
  }

  private refuseForm(response: ServerResponse): void {
    sendPage(response, 403, statusPage(this.assets, { title: 'The form could not be sent', message: 'It did not come from this dashboard. Reload the page and try again.', tone: 'bad', link: { href: '/dashboard', label: 'Open the dashboard' } }));
  }
}
