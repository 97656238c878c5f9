/**
 * The extension under test for the report journey. When src/extension/reportLink.ts already wires the report
 * (calls registerReport), that is the repository itself. Until then, a copy in a temp folder: the same
 * package.json (plus the panel's activation event), media/, and dist/extension.js bundled from the same sources
 * with reportLinkShim.ts in place of reportLink.ts (buildDevExtension.js).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = () => process.env.E2E_REPO_ROOT ?? path.resolve(__dirname, '..', '..', '..');

export function reportIsWired(): boolean {
  return /registerReport\b/.test(fs.readFileSync(path.join(ROOT(), 'src', 'extension', 'reportLink.ts'), 'utf8'));
}

let built: string | undefined;

export function reportDevExtension(): string {
  if (reportIsWired()) return ROOT();
  if (built) return built;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'od-report-ext-'));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  execFileSync(process.execPath, [path.join(ROOT(), 'test', 'e2e', 'report', 'buildDevExtension.js'), ROOT(), dir], { stdio: 'inherit' });
  built = dir;
  return dir;
}
