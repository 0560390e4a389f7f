#!/usr/bin/env node
// extract.js - Mozilla Readability on every HTML response record of a WARC(.gz), in one
// process, for chaff's HTML benchmark (bench/run-html).
//
// Usage: node bench/readability/extract.js [--max-pages N] [--out FILE] FILE.warc.gz
//
// Gunzips the file as one stream (all its gzip members), splits the WARC records (head,
// Content-Length, block), and for each response record skips the HTTP head, decodes the body
// (the charset of a <meta> declaration in its first 2 KB when TextDecoder knows it, else
// UTF-8), parses it with linkedom's parseHTML, runs new Readability(document).parse() and keeps
// the article's textContent (the extracted text only; with --out, written one page a line to
// FILE). At the end prints one JSON object: pages, HTML bytes, pages Readability found no
// article in, errors, text characters, CPU seconds (process.cpuUsage: user + system, every
// stage), wall seconds, pages/CPU-s, MB/CPU-s, ms of CPU a page, peak RSS, and the versions.
'use strict';
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const { parseHTML } = require('linkedom');
const { Readability } = require('@mozilla/readability');

function usage(code) {
  process.stderr.write('usage: node extract.js [--max-pages N] [--out FILE] FILE.warc.gz\n');
  process.exit(code);
}

let maxPages = Infinity;
let outPath = null;
let input = null;
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--max-pages' && i + 1 < argv.length) maxPages = Number(argv[++i]);
  else if (a === '--out' && i + 1 < argv.length) outPath = argv[++i];
  else if (a === '-h' || a === '--help') usage(0);
  else if (a.startsWith('-')) usage(2);
  else if (input === null) input = a;
  else usage(2);
}
if (input === null || !(maxPages >= 0)) usage(2);

function version(pkg) {
  try {
    const dir = path.join(__dirname, 'node_modules', ...pkg.split('/'));
    return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).version;
  } catch (e) {
    return null;
  }
}

const CRLF2 = Buffer.from('\r\n\r\n');
const LF2 = Buffer.from('\n\n');
const decoders = new Map();

function decoderFor(html) {
  const head = html.subarray(0, 2048).toString('latin1');
  const m = /<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]+)/i.exec(head);
  const label = m ? m[1].toLowerCase() : 'utf-8';
  if (!decoders.has(label)) {
    let d;
    try {
      d = new TextDecoder(label);
    } catch (e) {
      d = decoders.get('utf-8') || new TextDecoder('utf-8');
    }
    decoders.set(label, d);
  }
  return decoders.get(label);
}

const stats = { pages: 0, html_bytes: 0, warc_bytes: 0, no_article: 0, errors: 0, text_chars: 0 };
const out = outPath ? fs.openSync(outPath, 'w') : null;

function page(block) {
  let i = block.indexOf(CRLF2);
  let skip = 4;
  const j = block.indexOf(LF2);
  if (i < 0 || (j >= 0 && j < i)) {
    i = j;
    skip = 2;
  }
  if (i < 0) return;
  const html = block.subarray(i + skip);
  stats.pages++;
  stats.html_bytes += html.length;
  let text = '';
  try {
    const { document } = parseHTML(decoderFor(html).decode(html));
    const article = new Readability(document).parse();
    if (article && article.textContent) text = article.textContent;
    else stats.no_article++;
  } catch (e) {
    stats.errors++;
  }
  stats.text_chars += text.length;
  if (out !== null) fs.writeSync(out, text.replace(/\s+/g, ' ').trim() + '\n');
}

// The WARC stream: chunks are gathered until a record head, then its block, is complete.
let chunks = [];
let have = 0;
let state = 'head';
let blockLen = 0;
let isResponse = false;
let done = false;

function take(n) {
  const buf = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, have);
  const part = buf.subarray(0, n);
  const rest = buf.subarray(n);
  chunks = rest.length ? [rest] : [];
  have = rest.length;
  return part;
}

function pump() {
  for (;;) {
    if (done) return;
    if (state === 'head') {
      if (chunks.length > 1) chunks = [Buffer.concat(chunks, have)];
      if (have === 0) return;
      const buf = chunks[0];
      let s = 0;
      while (s < buf.length && (buf[s] === 0x0d || buf[s] === 0x0a)) s++;  // blank lines
      if (s > 0) {
        stats.warc_bytes += s;
        take(s);
        continue;
      }
      const e = buf.indexOf(CRLF2);
      if (e < 0) return;
      const head = buf.subarray(0, e).toString('latin1');
      if (!head.startsWith('WARC/')) throw new Error(input + ': expected a WARC record head');
      const cl = /\r\ncontent-length:\s*(\d+)/i.exec(head);
      if (!cl) throw new Error(input + ': WARC record without Content-Length');
      blockLen = Number(cl[1]);
      isResponse = /\r\nwarc-type:\s*response\s*(\r|$)/i.test(head);
      stats.warc_bytes += e + 4;
      take(e + 4);
      state = 'block';
    } else {
      if (have < blockLen) return;
      const block = take(blockLen);
      stats.warc_bytes += blockLen;
      state = 'head';
      if (isResponse) {
        page(block);
        if (stats.pages >= maxPages) {
          done = true;
          return;
        }
      }
    }
  }
}

const cpu0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
const file = fs.createReadStream(input, { highWaterMark: 1 << 20 });
let stream = file;
const magic = Buffer.alloc(2);
const fd = fs.openSync(input, 'r');
fs.readSync(fd, magic, 0, 2, 0);
fs.closeSync(fd);
if (magic[0] === 0x1f && magic[1] === 0x8b) stream = file.pipe(zlib.createGunzip({ chunkSize: 1 << 20 }));

function finish() {
  const cpu = process.cpuUsage(cpu0);
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpuS = (cpu.user + cpu.system) / 1e6;
  if (out !== null) fs.closeSync(out);
  const res = Object.assign({ tool: 'readability' }, stats, {
    cpu_s: +cpuS.toFixed(3),
    wall_s: +wall.toFixed(3),
    pages_per_cpu_s: +(stats.pages / cpuS).toFixed(2),
    mb_per_cpu_s: +(stats.html_bytes / 1e6 / cpuS).toFixed(3),
    ms_cpu_per_page: +((1000 * cpuS) / Math.max(1, stats.pages)).toFixed(3),
    peak_rss_mb: +(process.resourceUsage().maxRSS / 1024).toFixed(1),
    node: process.version,
    readability: version('@mozilla/readability'),
    linkedom: version('linkedom'),
  });
  process.stdout.write(JSON.stringify(res) + '\n');
}

stream.on('data', (chunk) => {
  if (done) return;
  chunks.push(chunk);
  have += chunk.length;
  pump();
  if (done) {
    file.destroy();
    finish();
    process.exit(0);
  }
});
stream.on('end', () => {
  if (!done) {
    done = true;
    finish();
  }
});
stream.on('error', (e) => {
  process.stderr.write('extract.js: ' + input + ': ' + e.message + '\n');
  process.exit(1);
});
