import { Controller, Get, Header, NotFoundException, Param, StreamableFile } from '@nestjs/common';
import { createReadStream, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { CHAT_PAGE } from './chat-page.js';

const require = createRequire(import.meta.url);

/** The official browser bundles, served by the app itself (no CDN). */
const CLIENT_BUNDLES: Record<string, string> = {
  'signalr.min.js': require.resolve('@microsoft/signalr/dist/browser/signalr.min.js'),
  'signalr-protocol-msgpack.min.js':
    require.resolve('@microsoft/signalr-protocol-msgpack/dist/browser/signalr-protocol-msgpack.min.js'),
};

/**
 * The page's own scripts (browser/), compiled by `npm run build:page` into
 * dist/demo-page under the directory the demo runs from; `npm start`,
 * `npm run build` and the test suite compile them first.
 */
const PAGE_SCRIPTS_DIR = resolve('dist/demo-page');
const PAGE_SCRIPTS = new Set(['chat.js', 'chat-hub.client.js']);

@Controller()
export class PageController {
  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  page(): string {
    return CHAT_PAGE;
  }

  @Get('lib/:file')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=3600')
  bundle(@Param('file') file: string): StreamableFile {
    const path = CLIENT_BUNDLES[file];
    if (!path) throw new NotFoundException();
    return new StreamableFile(createReadStream(path));
  }

  @Get('app/:file')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  script(@Param('file') file: string): StreamableFile {
    const path = join(PAGE_SCRIPTS_DIR, file);
    if (!PAGE_SCRIPTS.has(file)) throw new NotFoundException();
    if (!existsSync(path)) throw new NotFoundException(`${file} is not built: run npm run build:page.`);
    return new StreamableFile(createReadStream(path));
  }
}
