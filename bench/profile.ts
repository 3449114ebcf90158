/**
 * `--profile`: where a GET by id's time goes inside the Trellis process. The
 * server runs with `node --cpu-prof` for one extra get_by_id run; V8 writes the
 * profile (a .cpuprofile, the JSON Chrome DevTools opens) when the process
 * exits after its graceful shutdown. Only the samples taken during the measured
 * run count (start-up, schema compilation and the warm-up are left out), and
 * each function's self time is put in a layer of the stack (Fastify, auth, rate
 * limit, database driver, Kysely, serialization, logging, validation, Node,
 * Trellis's own code), per request answered in that run.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './processes.js';
import { fmt, table } from './report.js';

/** The shape V8 writes (the DevTools protocol's Profiler.Profile). */
interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }; children?: number[] }[];
  /** Microseconds on the monotonic clock (CLOCK_MONOTONIC on Linux, as process.hrtime). */
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export const LAYERS = [
  'Fastify',
  'auth',
  'rate limit',
  'database driver',
  'Kysely',
  'serialization',
  'logging',
  'validation',
  'Node/HTTP internals',
  'Trellis code',
  'other dependencies',
  '(garbage collector)',
  '(program)',
  '(idle)',
] as const;
export type Layer = (typeof LAYERS)[number];

const PACKAGE_LAYERS: [RegExp, Layer][] = [
  [/^(fastify|@fastify\/[^/]+|find-my-way|light-my-request|avvio|fast-querystring|fast-decode-uri-component|toad-cache|fastq|reusify|process-warning|abstract-logging|fastify-plugin|secure-json-parse|content-type|proxy-addr|forwarded|ret|safe-regex2|rfdc|cookie|semver|fast-content-type-parse)$/, 'Fastify'],
  [/^rate-limiter-flexible$/, 'rate limit'],
  [/^(better-sqlite3|bindings|file-uri-to-path|pg|pg-[^/]+|pgpass|postgres-[^/]+)$/, 'database driver'],
  [/^kysely$/, 'Kysely'],
  [/^(fast-json-stringify|json-schema-ref-resolver|fast-uri)$/, 'serialization'],
  [/^(pino|pino-[^/]+|@pinojs\/[^/]+|sonic-boom|thread-stream|on-exit-leak-free|quick-format-unescaped|fast-redact|atomic-sleep|real-require|fast-safe-stringify)$/, 'logging'],
  [/^(ajv|ajv-formats|ajv-draft-04|@sinclair\/typebox|json-schema-traverse|fast-deep-equal)$/, 'validation'],
];

const SOURCE_LAYERS: [RegExp, Layer][] = [
  [/^(auth\/|http\/auth\.|http\/session-cookie\.|resources\/api-keys\/|platform\/secrets\.)/, 'auth'],
  [/^(platform\/rate-limiter\.|domain\/rate-limits\.)/, 'rate limit'],
  [/^(http\/envelope\.|.*\.presenter\.)/, 'serialization'],
  [/^platform\/log-destination\./, 'logging'],
  [/^(http\/validation\.|http\/schemas\.)/, 'validation'],
];

/** The better-sqlite3 Statement and Database methods that are native (no JavaScript frame of the package above them). */
const SQLITE_NATIVE = new Set(['get', 'all', 'run', 'iterate', 'prepare', 'exec', 'pluck', 'raw', 'expand', 'bind', 'columns', 'safeIntegers']);

/** Layers whose calls into Node (or native code) count as their own time. */
const ASKERS = new Set<Layer>(['auth', 'rate limit', 'database driver', 'serialization', 'logging', 'validation']);

/** The layer of a frame that has a URL, or undefined for a frame without one (native code, compiled functions). */
export function layerOfUrl(url: string): Layer | undefined {
  if (url === '') return undefined;
  if (url.startsWith('node:') || !url.includes('/')) return 'Node/HTTP internals';
  // V8 shows no frame for better-sqlite3's native methods: a statement's run is the self time of the
  // JavaScript that called it, and these call statements and do little else.
  if (/\/kysely\/dist\/(esm|cjs)\/dialect\/sqlite\/sqlite-driver\.js$/.test(url) || /\/src\/db\/(database|sqlite-statement-cache)\.[jt]s$/.test(url)) return 'database driver';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + '/node_modules/'.length).split('/');
    const name = rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1] ?? ''}` : (rest[0] ?? '');
    for (const [pattern, layer] of PACKAGE_LAYERS) if (pattern.test(name)) return layer;
    return 'other dependencies';
  }
  // The built server (dist/src/…) or the sources under tsx (src/…).
  const source = /\/(?:dist\/)?src\/(.+)$/.exec(url)?.[1];
  if (source !== undefined) {
    for (const [pattern, layer] of SOURCE_LAYERS) if (pattern.test(source)) return layer;
    return 'Trellis code';
  }
  return 'other dependencies';
}

export interface FunctionRow {
  functionName: string;
  /** Relative to the repository, with its line (1-based); empty for native code. */
  location: string;
  layer: Layer;
  selfUs: number;
}

export interface LayerRow {
  layer: Layer;
  selfUs: number;
  usPerRequest: number;
  /** Share of the busy time (everything but idle); undefined for idle. */
  percent: number | undefined;
}

export interface ProfileSummary {
  file: string;
  /** Milliseconds of the window the samples were taken from (the measured run), and how many samples fell in it. */
  windowMs: number;
  samples: number;
  requests: number;
  /** Self time per request of everything but (idle), in µs: the process's CPU cost of one request. */
  busyUsPerRequest: number;
  layers: LayerRow[];
  top: (FunctionRow & { usPerRequest: number; percent: number })[];
  /** True when the run's window could not be found in the profile and all of it was counted. */
  wholeProfile: boolean;
}

/** The main thread's profile in `dir` of the process `pid` (workers write their own, with another thread id). */
export function findProfile(dir: string, pid: number): string {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  const main = files.find((f) => f.includes(`.${pid}.0.`)) ?? files[0];
  if (main === undefined) throw new Error(`no .cpuprofile in ${dir}: did the server exit cleanly (SIGTERM → app.close → process.exit)?`);
  return path.join(dir, main);
}

/**
 * Self time per layer and per function of the samples taken between `fromUs` and `toUs` (the
 * monotonic clock in µs, as `process.hrtime.bigint() / 1000n`), divided by `requests`.
 */
export function summarizeProfile(file: string, window: { fromUs: number; toUs: number }, requests: number, topN = 15): ProfileSummary {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  // The run's window must lie within the profile; if the clocks disagree, count everything (and say so).
  const wholeProfile = !(window.fromUs >= profile.startTime && window.toUs <= profile.endTime + 1_000_000 && window.toUs > window.fromUs);
  const from = wholeProfile ? -Infinity : window.fromUs;
  const to = wholeProfile ? Infinity : window.toUs;

  const self = new Map<number, number>();
  let t = profile.startTime;
  let samples = 0;
  profile.samples.forEach((id, i) => {
    t += profile.timeDeltas[i] ?? 0;
    // A sample's time is the delta to the next one: the time this sample stands for.
    const delta = profile.timeDeltas[i + 1] ?? 0;
    if (t < from || t > to) return;
    samples += 1;
    self.set(id, (self.get(id) ?? 0) + delta);
  });

  const layers = new Map<number, Layer>();
  const layerOf = (id: number): Layer => {
    const known = layers.get(id);
    if (known) return known;
    const node = byId.get(id);
    const layer = node ? classify(node.callFrame.functionName, node.callFrame.url, id) : 'Node/HTTP internals';
    layers.set(id, layer);
    return layer;
  };
  // The nearest caller written in JavaScript outside Node itself: who asked for a native call or a node: function.
  const askedBy = (id: number): Layer | undefined => {
    for (let p = parent.get(id); p !== undefined; p = parent.get(p)) {
      const url = byId.get(p)?.callFrame.url ?? '';
      const layer = layerOfUrl(url);
      if (layer !== undefined && layer !== 'Node/HTTP internals') return layer;
    }
    return undefined;
  };
  const classify = (name: string, url: string, id: number): Layer => {
    if (name === '(garbage collector)' || name === '(program)' || name === '(idle)') return name;
    if (name === '(root)') return '(program)';
    const byUrl = layerOfUrl(url);
    if (byUrl === 'Node/HTTP internals' || byUrl === undefined) {
      // Node's own code and native calls count for the layer that asked for them (sonic-boom's file writes, pg's socket,
      // the key's hash), but for Fastify's and Trellis's HTTP work, which is what Node is there for.
      const asker = askedBy(id);
      if (asker !== undefined && ASKERS.has(asker)) return asker;
    }
    if (byUrl !== undefined) return byUrl;
    // Functions compiled at run time have no URL: ajv's validators (validate12), fast-json-stringify's serializers (anonymous3).
    if (/^validate\d*$/.test(name)) return 'validation';
    if (/^anonymous\d+$/.test(name) || name === 'stringify' || name === 'parse') return 'serialization';
    // A native statement method called straight from Kysely or Trellis (better-sqlite3 has no JavaScript around get/all/run).
    const asker = askedBy(id);
    if (SQLITE_NATIVE.has(name) && (asker === 'Kysely' || asker === 'Trellis code' || asker === 'auth' || asker === 'rate limit')) return 'database driver';
    const p = parent.get(id);
    return p === undefined ? 'Node/HTTP internals' : layerOf(p);
  };

  const perLayer = new Map<Layer, number>();
  const perFunction = new Map<string, FunctionRow>();
  for (const [id, us] of self) {
    const node = byId.get(id);
    if (!node) continue;
    const layer = layerOf(id);
    perLayer.set(layer, (perLayer.get(layer) ?? 0) + us);
    const { functionName, url, lineNumber } = node.callFrame;
    const location = url === '' ? '' : `${url.replace(/^file:\/\//, '').replace(`${ROOT}/`, '')}:${lineNumber + 1}`;
    const key = `${functionName}\u0000${location}\u0000${layer}`;
    const row = perFunction.get(key) ?? { functionName: functionName || '(anonymous)', location, layer, selfUs: 0 };
    row.selfUs += us;
    perFunction.set(key, row);
  }
  const busy = [...perLayer].filter(([layer]) => layer !== '(idle)').reduce((sum, [, us]) => sum + us, 0);
  const per = (us: number) => (requests > 0 ? us / requests : 0);
  return {
    file,
    windowMs: wholeProfile ? (profile.endTime - profile.startTime) / 1000 : (window.toUs - window.fromUs) / 1000,
    samples,
    requests,
    busyUsPerRequest: per(busy),
    wholeProfile,
    layers: LAYERS.map((layer) => {
      const us = perLayer.get(layer) ?? 0;
      return { layer, selfUs: us, usPerRequest: per(us), percent: layer === '(idle)' || busy === 0 ? undefined : (100 * us) / busy };
    }),
    top: [...perFunction.values()]
      .filter((f) => f.layer !== '(idle)')
      .sort((a, b) => b.selfUs - a.selfUs)
      .slice(0, topN)
      .map((f) => ({ ...f, usPerRequest: per(f.selfUs), percent: busy === 0 ? 0 : (100 * f.selfUs) / busy })),
  };
}

const us = (n: number) => fmt(n, n < 10 ? 1 : 0);

/** The layer table: µs of self time per request answered, and each layer's share of the busy time. */
export function layerTable(summary: ProfileSummary): string {
  const rows = summary.layers
    .filter((l) => l.selfUs > 0 || !l.layer.startsWith('('))
    .map((l) => [l.layer, us(l.usPerRequest), l.percent === undefined ? '' : `${fmt(l.percent, 1)} %`]);
  rows.push(['busy (all but idle)', us(summary.busyUsPerRequest), '100 %']);
  return table(['layer', 'µs/request', '% of busy'], rows, [false, true, true]);
}

export function topTable(summary: ProfileSummary): string {
  return table(
    ['self µs/req', '%', 'function', 'layer', 'where'],
    summary.top.map((f) => [us(f.usPerRequest), `${fmt(f.percent, 1)} %`, f.functionName, f.layer, f.location || '(native or compiled)']),
    [true, true, false, false, false],
  );
}
