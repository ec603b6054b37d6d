import { BadRequestException, MethodNotAllowedException, NotFoundException } from '@nestjs/common';
import { DomainError, DomainErrorKind } from '@payments/domain';
import { WRITER_STOPPED, WrongExpectedRevision } from '@payments/event-store';
import { problemFor } from './problem-details.filter';
import { ProblemException } from './problem-details';

const TYPES = 'https://docs.payments.example/errors/';

describe('problemFor', () => {
  it.each<[DomainErrorKind, number, string]>([
    ['invalid', 422, 'validation'],
    ['malformed', 400, 'bad-request'],
    ['not_found', 404, 'not-found'],
    ['conflict', 409, 'conflict'],
    ['gone', 410, 'gone'],
  ])('maps a %s domain error to %i', (kind, status, slug) => {
    const problem = problemFor(new DomainError(kind, 'what happened', [{ field: 'f', message: 'm' }]));
    expect(problem).toMatchObject({ status, type: TYPES + slug, detail: 'what happened', errors: [{ field: 'f', message: 'm' }] });
  });

  it('leaves out an empty errors list', () => {
    expect(problemFor(new DomainError('conflict', 'busy'))).not.toHaveProperty('errors', expect.anything());
  });

  it('maps a concurrent append to 409 without naming the stream', () => {
    const problem = problemFor(new WrongExpectedRevision('route-proute_stg_x', 3n, 4n));
    expect(problem).toMatchObject({ status: 409, type: TYPES + 'conflict' });
    expect(problem.detail).not.toContain('route-');
  });

  it('keeps the headers a problem exception carries', () => {
    const problem = problemFor(new ProblemException('rate_limited', 'slow down', { headers: { 'Retry-After': '1' } }));
    expect(problem).toMatchObject({ status: 429, type: TYPES + 'rate-limited', headers: { 'Retry-After': '1' } });
  });

  it('challenges every 401 with WWW-Authenticate', () => {
    expect(problemFor(new ProblemException('unauthorized', 'who are you')).headers).toEqual({ 'WWW-Authenticate': 'Bearer' });
  });

  it("maps Nest's HTTP exceptions by status, with their message as detail", () => {
    expect(problemFor(new NotFoundException('Cannot GET /v1/nope'))).toMatchObject({ status: 404, type: TYPES + 'not-found', detail: 'Cannot GET /v1/nope' });
    expect(problemFor(new BadRequestException('Unexpected token } in JSON'))).toMatchObject({ status: 400, type: TYPES + 'bad-request' });
  });

  it('uses about:blank and the status phrase for statuses without a kind of their own', () => {
    expect(problemFor(new MethodNotAllowedException())).toMatchObject({ status: 405, type: 'about:blank', title: 'Method Not Allowed' });
  });

  it("maps body-parser's client errors by their status", () => {
    const tooLarge = Object.assign(new Error('request entity too large'), { status: 413, statusCode: 413, expose: true });
    expect(problemFor(tooLarge)).toMatchObject({ status: 413, type: TYPES + 'payload-too-large', detail: 'request entity too large' });
  });

  it('maps an unreachable dependency to 503', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' });
    class MaxRetriesPerRequestError extends Error {
      override name = 'MaxRetriesPerRequestError';
    }
    expect(problemFor(refused)).toMatchObject({ status: 503, type: TYPES + 'unavailable' });
    expect(problemFor(new MaxRetriesPerRequestError('Reached the max retries per request limit'))).toMatchObject({ status: 503 });
    expect(problemFor(Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' }))).toMatchObject({ status: 503 });
    expect(problemFor(Object.assign(new Error('the SQLite writer thread stopped'), { code: WRITER_STOPPED }))).toMatchObject({ status: 503 });
  });

  it('answers anything else with 500 and no internals', () => {
    const problem = problemFor(new TypeError("Cannot read properties of undefined (reading 'secret_column')"));
    expect(problem).toMatchObject({ status: 500, type: TYPES + 'internal' });
    expect(problem.detail).not.toContain('secret_column');
  });
});
