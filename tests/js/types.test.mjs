// js/index.d.ts is checked against the API (issue 12.4): tsc over js/index.js (checkJs: its JSDoc uses the
// d.ts types, so an option or field the code uses and the d.ts lacks is an error) and over a typed use of the
// API (tests/types/usage.ts); and the d.ts declares exactly the module's runtime exports.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { ROOT, join } from './helpers.mjs';

const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');

test('tsc: js/index.d.ts agrees with js/index.js and with a typed use of the API', async (t) => {
  if (!existsSync(TSC)) return t.skip('needs typescript (npm install: a devDependency)');
  const r = await promisify(execFile)(process.execPath, [TSC, '-p', join(ROOT, 'tests/types')], { cwd: ROOT }).catch((e) => e);
  assert.equal(r.code ?? 0, 0, `tsc found type errors:\n${r.stdout}${r.stderr}`);
});

test('js/index.d.ts declares exactly the runtime exports of js/index.js', async () => {
  const dts = readFileSync(join(ROOT, 'js/index.d.ts'), 'utf8');
  const declared = new Set([...dts.matchAll(/^export (?:declare )?(?:function|const|class) (\w+)/gm)].map((m) => m[1]));
  const actual = new Set(Object.keys(await import('../../js/index.js')));
  assert.deepEqual([...actual].filter((k) => !declared.has(k)).sort(), [], 'exported at run time, missing from the d.ts');
  assert.deepEqual([...declared].filter((k) => !actual.has(k)).sort(), [], 'declared in the d.ts, not exported');
});
