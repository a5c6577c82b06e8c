import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PAGE_DIR, STAGE_CLIENT_DIR } from '#controller/browser/page-server';
// The page's modules name the shared browser code by package.json's aliases (`#stage-client/<module>`), which
// Node resolves for the unit tests and the import map in index.html resolves for Chromium: each alias a page
// module imports must be in the map, mapped to the file the page server serves under /stage-client/.

/** The page's import map (the one `<script type="importmap">` of index.html). */
function importMap(): Record<string, string> {
  const html = readFileSync(join(PAGE_DIR, 'index.html'), 'utf8');
  const json = /<script type="importmap">([\s\S]*?)<\/script>/.exec(html)?.[1];
  if (!json) throw new Error('index.html has no import map');
  return (JSON.parse(json) as { imports: Record<string, string> }).imports;
}

/** Every `#stage-client/...` specifier the page's modules import. */
function aliasesImported(): string[] {
  const aliases = new Set<string>();
  for (const file of readdirSync(PAGE_DIR).filter((f) => f.endsWith('.js'))) {
    const source = readFileSync(join(PAGE_DIR, file), 'utf8');
    for (const match of source.matchAll(/\bfrom\s+'(#stage-client\/[\w.-]+)'/g)) aliases.add(match[1]!);
  }
  return [...aliases].sort();
}

describe("The controller page's import map", () => {
  it('maps every shared module the page imports by alias to the file served under /stage-client/', () => {
    const map = importMap();
    const imported = aliasesImported();
    expect(imported).toContain('#stage-client/remote-track-source');
    for (const alias of imported) {
      const name = alias.slice('#stage-client/'.length);
      expect(map[alias], alias).toBe(`/stage-client/${name}.js`);
      expect(existsSync(join(STAGE_CLIENT_DIR, `${name}.js`)), `${name}.js`).toBe(true);
    }
  });

  it('maps nothing the page does not import', () => {
    expect(Object.keys(importMap()).sort()).toEqual(aliasesImported());
  });
});
