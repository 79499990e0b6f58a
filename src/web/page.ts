import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/**
 * The web live view's files (built from web/ into dist/page by `npm run build`), served by the
 * agent at `/`. They hold no host data: the page reads it from /feed with the token the viewer
 * types, so the files need no token, like /healthz. Read once at start, kept with their gzip form.
 */

/** Where the build writes the page, beside this module's compiled form (dist/src/web → dist/page). */
export const BUILT_PAGE_DIR = fileURLToPath(new URL('../../page/', import.meta.url));

/** The page's files and their content types; the URL path of each is `/` plus its name, index.html at `/`. */
const FILES: Readonly<Record<string, string>> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
  'favicon.svg': 'image/svg+xml',
};

/**
 * Only the page's own files run and style it; it connects only to its own origin (the feed) and
 * may not be framed. No 'unsafe-inline' anywhere: every host string is set as text, and a string
 * that got into markup still could not run.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

interface PageFile {
  contentType: string;
  body: Buffer;
  gzip: Buffer;
  etag: string;
}

/** An answer for one of the page's paths, in the shape of the server's plain replies. */
export interface PageReply {
  status: number;
  body: string | Buffer;
  headers: Record<string, string>;
}

export class WebPage {
  private constructor(private readonly files: ReadonlyMap<string, PageFile>) {}

  /** The built page in `dir`; undefined when it is not there (sources run without `npm run build`). */
  static load(dir: string = BUILT_PAGE_DIR): WebPage | undefined {
    const files = new Map<string, PageFile>();
    for (const [name, contentType] of Object.entries(FILES)) {
      const path = join(dir, name);
      if (!existsSync(path)) return undefined;
      const body = readFileSync(path);
      const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
      files.set(name === 'index.html' ? '/' : `/${name}`, {
        contentType,
        body,
        gzip: gzipSync(body, { level: 9 }),
        etag,
      });
    }
    return new WebPage(files);
  }

  has(pathname: string): boolean {
    return this.files.has(pathname);
  }

  /** Bytes the browser downloads for the whole page, gzip'd as it is sent. */
  gzipBytes(): number {
    let total = 0;
    for (const f of this.files.values()) total += f.gzip.length;
    return total;
  }

  /**
   * One file, gzip'd when the client accepts it; a 304 when its ETag matches. Cached with
   * revalidation (`no-cache`), so an upgraded agent's page is picked up on the next load.
   */
  reply(pathname: string, headers: IncomingHttpHeaders): PageReply | undefined {
    const file = this.files.get(pathname);
    if (file === undefined) return undefined;
    const common = { ...SECURITY_HEADERS, ETag: file.etag, 'Cache-Control': 'no-cache', Vary: 'Accept-Encoding' };
    if (headers['if-none-match']?.split(',').some((t) => t.trim() === file.etag)) {
      return { status: 304, body: '', headers: common };
    }
    const gzip = acceptsGzip(headers['accept-encoding']);
    return {
      status: 200,
      body: gzip ? file.gzip : file.body,
      headers: { ...common, 'Content-Type': file.contentType, ...(gzip ? { 'Content-Encoding': 'gzip' } : {}) },
    };
  }
}

/** Accept-Encoding names gzip without refusing it (`gzip;q=0`). */
function acceptsGzip(header: string | undefined): boolean {
  if (header === undefined) return false;
  return header.split(',').some((part) => {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    if (coding.trim() !== 'gzip' && coding.trim() !== '*') return false;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}
