// Compares MessagePack libraries on the payloads a SignalR hub exchanges.
//
//   node bench/msgpack-libs.mjs                 (about 1.5 minutes)
//   BENCH_MS=100 BENCH_ROUNDS=3 node bench/msgpack-libs.mjs   (quicker, noisier)
//
// Candidates that are not installed are skipped. To install the ones that are
// not project dependencies, without touching package.json:
//   npm install --no-save msgpack3@npm:@msgpack/msgpack@3.1.3 notepack.io@3.0.1 msgpack5@6.1.0
// (@msgpack/msgpack 2.8 comes with @microsoft/signalr-protocol-msgpack.)
//
// "encode" is what a hub protocol's writeMessage costs with the library:
// encoding the array the server writes (6-element invocations) and copying it
// behind its VarInt length prefix into a buffer of its own (libraries that can
// hand out a view of their internal buffer are used that way, so that every
// candidate pays exactly one copy). "decode" is decoding the bytes the
// official JS client produces (its @msgpack/msgpack 2.8 encoder). Each figure
// is the best of BENCH_ROUNDS runs of BENCH_MS milliseconds, the candidates
// taking turns (see compare()). Results and the choice: msgpack-libs.md.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const RUN_MS = Number(process.env.BENCH_MS ?? 250);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

/** VarInt length prefix + payload in a new buffer (binary-message-format.ts). */
function frame(payload) {
  let length = payload.length;
  let prefix = 1;
  for (let rest = length >>> 7; rest > 0; rest >>>= 7) prefix++;
  const out = Buffer.allocUnsafe(prefix + length);
  let i = 0;
  while (length > 0x7f) {
    out[i++] = (length & 0x7f) | 0x80;
    length >>>= 7;
  }
  out[i] = length;
  out.set(payload, prefix);
  return out;
}

/** Version from a package's package.json (some packages do not export it). */
function versionOf(name, req = require) {
  let dir = dirname(req.resolve(name));
  while (
    !existsSync(join(dir, 'package.json')) ||
    !dir.includes(name.replace('/', '/'))
  ) {
    const parent = dirname(dir);
    if (parent === dir) return '?';
    dir = parent;
  }
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
}

function tryRequire(name) {
  try {
    return require(name);
  } catch {
    return undefined;
  }
}

// ---- payloads -------------------------------------------------------------

const smallInvocation = [1, {}, '1', 'SendMessage', ['alice', 42]];

const people = [];
for (let i = 0; people.length < 9; i++) {
  people.push({
    id: 1000 + i,
    name: `Person number ${i}`,
    email: `person${i}@example.com`,
    active: i % 2 === 0,
    score: 12.5 * i + 0.25,
    tags: ['alpha', 'beta'],
  });
}
const completion1k = [3, {}, '7', 3, { total: people.length, items: people }];

const blob = Buffer.alloc(65536);
for (let i = 0; i < blob.length; i++) blob[i] = (i * 31) & 0xff;
const binaryInvocation = [1, {}, '2', 'Upload', [blob]];

const payloads = [
  ['small invocation', smallInvocation],
  ['completion, 1 KB object', completion1k],
  ['invocation, 64 KB binary', binaryInvocation],
];

// ---- candidates -----------------------------------------------------------

const candidates = [];

const msgpackr = tryRequire('msgpackr');
if (msgpackr) {
  const version = versionOf('msgpackr');
  // The options the hub protocol uses: plain maps (no records), compact map
  // headers, undefined as nil, int64 as number, bin copied out of the input.
  const packr = new msgpackr.Packr({
    useRecords: false,
    variableMapSize: true,
    encodeUndefinedAsNil: true,
  });
  const unpackr = new msgpackr.Unpackr({
    useRecords: false,
    mapsAsObjects: true,
    int64AsType: 'number',
    copyBuffers: true,
  });
  const strings = msgpackr.isNativeAccelerationEnabled
    ? 'native strings'
    : 'JS strings';
  candidates.push({
    name: `msgpackr ${version} (${strings}, bin copied)`,
    // pack() returns a view of msgpackr's arena; RESET_BUFFER_MODE lets the
    // next pack() reuse the space, which is fine once the bytes are copied.
    encode: (v) => frame(packr.pack(v, msgpackr.RESET_BUFFER_MODE)),
    decode: (b) => unpackr.unpack(b),
  });
  // Same, but bin values are views of the input (msgpackr's default), as
  // @msgpack/msgpack and notepack.io return them: shows what the copy costs.
  const viewUnpackr = new msgpackr.Unpackr({
    useRecords: false,
    int64AsType: 'number',
  });
  candidates.push({
    name: `msgpackr ${version} (${strings}, bin as views: decode only)`,
    encode: undefined,
    decode: (b) => viewUnpackr.unpack(b),
  });
}

function addMsgpackJs(label, lib, version) {
  if (!lib) return;
  const encoder = new lib.Encoder();
  const decoder = new lib.Decoder();
  // 3.x: encodeSharedRef() is the view; 2.x: encode() is.
  const encodeView = encoder.encodeSharedRef
    ? (v) => encoder.encodeSharedRef(v)
    : (v) => encoder.encode(v);
  candidates.push({
    name: `${label} ${version} (bin as views)`,
    encode: (v) => frame(encodeView(v)),
    decode: (b) => decoder.decode(b),
  });
}
addMsgpackJs(
  '@msgpack/msgpack',
  tryRequire('msgpack3'),
  tryRequire('msgpack3') && versionOf('msgpack3'),
);
{
  // The copy the official client uses (nested or hoisted).
  let lib;
  let version;
  try {
    const clientRequire = createRequire(
      require.resolve('@microsoft/signalr-protocol-msgpack'),
    );
    lib = clientRequire('@msgpack/msgpack');
    version = versionOf('@msgpack/msgpack', clientRequire);
  } catch {
    lib = tryRequire('@msgpack/msgpack');
    version = lib && versionOf('@msgpack/msgpack');
  }
  addMsgpackJs('@msgpack/msgpack', lib, version);
}

const notepack = tryRequire('notepack.io');
if (notepack) {
  candidates.push({
    name: `notepack.io ${versionOf('notepack.io')} (bin as views; Date as ext 0: incompatible)`,
    encode: (v) => frame(notepack.encode(v)),
    decode: (b) => notepack.decode(b),
  });
}

const msgpack5 = tryRequire('msgpack5');
if (msgpack5) {
  const codec = msgpack5();
  candidates.push({
    name: `msgpack5 ${versionOf('msgpack5')}`,
    encode: (v) => frame(codec.encode(v).slice()),
    decode: (b) => codec.decode(b),
  });
}

// ---- timing ---------------------------------------------------------------

let sink = 0;

/** Calls per second of fn(arg) over one run of RUN_MS. */
function oneRun(fn, arg) {
  let calls = 0;
  const batch = 32;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(RUN_MS) * 1_000_000n;
  let now = start;
  while (now < deadline) {
    for (let i = 0; i < batch; i++) sink ^= touch(fn(arg));
    calls += batch;
    now = process.hrtime.bigint();
  }
  return (calls * 1e9) / Number(now - start);
}

/**
 * Best of ROUNDS runs per candidate, the candidates taking turns, so that a
 * busy spell of the machine slows every candidate rather than one of them
 * (interference only ever makes a run slower: the best run is the estimate).
 */
function compare(jobs) {
  const best = jobs.map(() => 0);
  for (const job of jobs)
    for (let i = 0; i < 2000; i++) sink ^= touch(job.fn(job.arg));
  for (let round = 0; round < ROUNDS; round++) {
    jobs.forEach((job, i) => {
      best[i] = Math.max(best[i], oneRun(job.fn, job.arg));
    });
  }
  return best;
}

function touch(value) {
  return Array.isArray(value) ? value.length : value ? 1 : 0;
}

function format(n) {
  if (Number.isNaN(n)) return '–';
  return Math.round(n).toLocaleString('en-US');
}

// The official client's encoder makes the input of every decoder.
const clientEncoder = new (createRequire(
  require.resolve('@microsoft/signalr-protocol-msgpack'),
)('@msgpack/msgpack').Encoder)();

console.log(
  `node ${process.version}, best of ${ROUNDS} interleaved runs of ${RUN_MS} ms\n`,
);
const rows = [];
for (const [label, message] of payloads) {
  // Client bytes, as a Node Buffer (what a ws transport hands the server).
  const clientBytes = Buffer.from(clientEncoder.encode(message));
  const serverMessage = message[0] === 1 ? [...message, []] : message;
  const usable = candidates.filter((candidate) => {
    try {
      candidate.decode(clientBytes);
      candidate.encode?.(serverMessage);
      return true;
    } catch (error) {
      console.error(`${candidate.name} on ${label}: ${error.message}`);
      return false;
    }
  });
  const decode = compare(
    usable.map((c) => ({ fn: c.decode, arg: clientBytes })),
  );
  const encoders = usable.filter((c) => c.encode);
  const encode = compare(
    encoders.map((c) => ({ fn: c.encode, arg: serverMessage })),
  );
  usable.forEach((candidate, i) => {
    const e = encoders.indexOf(candidate);
    const row = {
      payload: label,
      library: candidate.name,
      encode: e >= 0 ? encode[e] : NaN,
      decode: decode[i],
    };
    rows.push(row);
    console.log(
      `${label.padEnd(26)} ${candidate.name.padEnd(64)} encode ${format(row.encode).padStart(11)}/s   decode ${format(row.decode).padStart(11)}/s`,
    );
  });
}

console.log(
  '\n| payload | library | encode + frame (ops/s) | decode (ops/s) |',
);
console.log('|---|---|--:|--:|');
for (const row of rows) {
  console.log(
    `| ${row.payload} | ${row.library} | ${format(row.encode)} | ${format(row.decode)} |`,
  );
}
if (sink === 0.5) console.log(sink);
