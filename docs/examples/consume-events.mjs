#!/usr/bin/env node
// An example consumer of the event stream (docs/events.md, "Consuming the event stream").
// Plain Node 20, no dependencies. Prints each of the account's events once, as one JSON line
// on stdout (messages go to stderr), and keeps the position of the last one in a file, so that
// a restart resumes right after it.
//
//   PAYMENTS_API=http://localhost:3000 PAYMENTS_TOKEN=st_stg_... node docs/examples/consume-events.mjs
//
// Options:
//   --mode sse|poll      sse (default) follows GET /v1/events/stream; poll reads GET /v1/events pages
//   --type T[,T...]      only these event types (e.g. PaymentSucceeded,PaymentFailed)
//   --state FILE         where the position is kept (default ./consume-events.position)
//   --interval-ms N      poll: the wait between polls once caught up (default 2000)
//   --until-caught-up    poll: exit once a page reaches the end of the log (for a cron job)
//
// Delivery is at least once: an event printed just before a crash, whose position was not yet
// saved, is printed again after the restart. Whatever you do with an event, make it idempotent
// on the event's `id`, as this script does within one run.

import { readFile, rename, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';

const { values: options } = parseArgs({
  options: {
    mode: { type: 'string', default: 'sse' },
    type: { type: 'string' },
    state: { type: 'string', default: 'consume-events.position' },
    'interval-ms': { type: 'string', default: '2000' },
    'until-caught-up': { type: 'boolean', default: false },
  },
});
const api = (process.env.PAYMENTS_API ?? 'http://localhost:3000').replace(/\/+$/, '');
const token = process.env.PAYMENTS_TOKEN;
if (!token) fail('set PAYMENTS_TOKEN to a secret token (st_...)');
if (!['sse', 'poll'].includes(options.mode)) fail('--mode is sse or poll');
const headers = { Authorization: `Bearer ${token}` };
const typeQuery = options.type ? `&type=${encodeURIComponent(options.type)}` : '';

const stopping = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => stopping.abort());

/** Ids printed in this run, so an event delivered twice is handled once (bounded: the newest 10,000). */
const seen = new Set();

let position = await loadPosition();
log(`resuming after position ${position}`);
if (options.mode === 'poll') await poll();
else await follow();

/** GET /v1/events pages: read on at once while has_more, then wait and poll again. */
async function poll() {
  while (!stopping.signal.aborted) {
    const response = await request(`${api}/v1/events?after=${position}&limit=100${typeQuery}`, { headers });
    if (!response) continue;
    const page = await response.json();
    for (const event of page.items) await handle(event);
    // Also after an empty page: next_after may have moved past other accounts' events.
    await savePosition(page.next_after);
    if (page.has_more) continue;
    if (options['until-caught-up']) return;
    await sleep(Number(options['interval-ms']), undefined, { signal: stopping.signal }).catch(() => {});
  }
}

/** GET /v1/events/stream, reconnecting with Last-Event-ID after any break. */
async function follow() {
  let backoffMs = 1000;
  while (!stopping.signal.aborted) {
    // Ended by a stop, or by a stream quiet for three heartbeats (15 s each by default): taken for dead.
    const connection = new AbortController();
    const hangUp = () => connection.abort();
    stopping.signal.addEventListener('abort', hangUp);
    let idleTimer = setTimeout(hangUp, 45_000);
    const response = await request(`${api}/v1/events/stream?after=${position}${typeQuery}`, {
      headers: { ...headers, Accept: 'text/event-stream', 'Last-Event-ID': String(position) },
      signal: connection.signal,
    });
    if (response) {
      backoffMs = 1000;
      try {
        for await (const block of serverSentEvents(response.body)) {
          clearTimeout(idleTimer);
          idleTimer = setTimeout(hangUp, 45_000);
          if (block.data === undefined) continue;
          await handle(JSON.parse(block.data));
          await savePosition(block.id);
        }
      } catch (error) {
        if (!connection.signal.aborted) log(`stream broke: ${error.message}`);
      }
    }
    clearTimeout(idleTimer);
    stopping.signal.removeEventListener('abort', hangUp);
    if (stopping.signal.aborted) return;
    log(`reconnecting in ${backoffMs} ms`);
    await sleep(backoffMs, undefined, { signal: stopping.signal }).catch(() => {});
    backoffMs = Math.min(backoffMs * 2, 30_000);
  }
}

/** The blocks of a text/event-stream body: {id, event, data}; comments (heartbeats) are skipped. */
async function* serverSentEvents(body) {
  const decoder = new TextDecoder();
  let buffer = '';
  let block = {};
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    const lines = buffer.split(/\r\n|\r|\n/);
    buffer = lines.pop();
    for (const line of lines) {
      if (line === '') {
        if (Object.keys(block).length > 0) yield block;
        block = {};
      } else if (!line.startsWith(':')) {
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        block[field] = field === 'data' && block.data !== undefined ? `${block.data}\n${value}` : value;
      }
    }
  }
}

/** What this consumer does with an event: here, print it. */
async function handle(event) {
  if (seen.has(event.id)) return;
  seen.add(event.id);
  if (seen.size > 10_000) seen.delete(seen.values().next().value);
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

/** Fetches, answering undefined (after a pause) on a failure worth retrying; exits on one that is not. */
async function request(url, init) {
  let response;
  try {
    response = await fetch(url, { signal: stopping.signal, ...init });
  } catch (error) {
    if (!stopping.signal.aborted) log(`cannot reach ${api}: ${error.cause?.code ?? error.message}`);
    if (options.mode === 'poll') await sleep(2000, undefined, { signal: stopping.signal }).catch(() => {});
    return undefined;
  }
  if (response.ok) return response;
  const problem = await response.json().catch(() => ({}));
  // 4xx other than 429 will not get better by retrying: a wrong token or a wrong option.
  if (response.status < 500 && response.status !== 429) fail(`HTTP ${response.status}: ${problem.detail ?? response.statusText}`);
  log(`HTTP ${response.status}: ${problem.detail ?? response.statusText}; retrying`);
  await sleep(Number(response.headers.get('retry-after') ?? 2) * 1000, undefined, { signal: stopping.signal }).catch(() => {});
  return undefined;
}

async function loadPosition() {
  try {
    return BigInt((await readFile(options.state, 'utf8')).trim());
  } catch (error) {
    if (error.code === 'ENOENT') return 0n;
    fail(`cannot read ${options.state}: ${error.message}`);
  }
}

/** Written to a file beside it, then renamed over it, so a crash never leaves half a position. */
async function savePosition(next) {
  position = BigInt(next);
  await writeFile(`${options.state}.tmp`, `${position}\n`);
  await rename(`${options.state}.tmp`, options.state);
}

function log(message) {
  process.stderr.write(`consume-events: ${message}\n`);
}

function fail(message) {
  log(message);
  process.exit(1);
}
