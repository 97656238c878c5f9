// One code-server (VS Code server + workbench, the newest or the oldest build: paths.ts) per journey: fresh user data, its own process group, free port.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { assertInstalled, e2ePaths, type E2EPaths, type VSCodeBuild } from './paths';
import { sleep } from './retry';

/** User settings every journey starts from: nothing pops up, nothing phones home, nothing updates. */
export const BASE_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.editor.enablePreview': false,
  'workbench.editor.untitled.hint': 'hidden',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.settings.enableNaturalLanguageSearch': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'update.showReleaseNotes': false,
  'extensions.ignoreRecommendations': true,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'chat.disableAIFeatures': true,
  'chat.commandCenter.enabled': false,
  'chat.agent.enabled': false,
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
  'git.openRepositoryInParentFolders': 'never',
  'remote.autoForwardPorts': false,
  'files.autoSave': 'off',
  'npm.fetchOnlinePackageInfo': false,
  'json.schemaDownload.enable': false,
  'typescript.disableAutomaticTypeAcquisition': true,
};

export interface CodeServerOptions {
  /** Full user settings.json content. */
  settings: Record<string, unknown>;
  /** Install this VSIX into the fresh extensions dir before starting. */
  installVsix?: string;
  /** Extra environment for the server and so for the extension host. */
  env?: Record<string, string>;
  /** Short label for the temp folder name. */
  label?: string;
  /** Which VS Code (default: $E2E_VSCODE, else the newest). */
  build?: VSCodeBuild;
}

const live = new Set<number>();

/** Kills every code-server process group still running (for exit/signal handlers; synchronous). */
export function killAllCodeServersSync(): void {
  for (const pid of live) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Node's arguments that start code-server with VS Code's smoke-test driver on, before code-server's own options.
 * Without the driver a built VS Code ignores extensionDevelopmentPath from the URL (VSCODE-E2E.md). code-server 4.139
 * passes it through `--vscode-option`; 4.90 has no such option and rejects any option it does not know, though it
 * hands every parsed option on to VS Code's server, which knows `enable-smoke-test-driver`: so for 4.90 the option is
 * added to code-server's option table (the exported `options` of out/node/cli.js) before its entry runs. The server
 * process code-server forks receives the parsed options from its parent, so only the parent needs this.
 */
function launch(paths: E2EPaths): string[] {
  if (paths.build === 'newest') return [paths.codeServerEntry, '--vscode-option', 'enable-smoke-test-driver'];
  const patch = [
    "const path = require('node:path');",
    'const entry = process.argv[1];',
    "require(path.join(path.dirname(entry), 'cli.js')).options['enable-smoke-test-driver'] = { type: 'boolean', description: 'e2e' };",
    'process.argv = [process.argv[0], entry, ...process.argv.slice(2)];',
    'require(entry);',
  ].join('\n');
  return ['-e', patch, paths.codeServerEntry, '--enable-smoke-test-driver'];
}

export class CodeServer {
  private exited = false;
  private exitCode: number | null = null;

  private constructor(
    readonly paths: E2EPaths,
    /** Temp root holding user data, extensions, XDG dirs, HOME and the server log. */
    readonly root: string,
    readonly port: number,
    private readonly child: ChildProcess,
  ) {
    live.add(child.pid!);
    child.on('exit', (code) => {
      this.exited = true;
      this.exitCode = code;
    });
  }

  get userDataDir(): string {
    return path.join(this.root, 'user-data');
  }
  get extensionsDir(): string {
    return path.join(this.root, 'extensions');
  }
  get settingsPath(): string {
    return path.join(this.userDataDir, 'User', 'settings.json');
  }
  get logFile(): string {
    return path.join(this.root, 'code-server.log');
  }
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  static async start(opts: CodeServerOptions): Promise<CodeServer> {
    const paths = e2ePaths(opts.build);
    assertInstalled(paths);
    const label = (opts.label ?? 'vscode').replace(/[^a-z0-9]+/gi, '-').slice(0, 40);
    const root = fs.mkdtempSync(path.join(os.tmpdir(), `od-e2e-${label}-`));
    for (const d of ['user-data/User', 'extensions', 'xdg-config', 'xdg-data', 'xdg-cache', 'home']) {
      fs.mkdirSync(path.join(root, d), { recursive: true });
    }
    fs.writeFileSync(path.join(root, 'user-data/User/settings.json'), JSON.stringify(opts.settings, null, 2));
    const env = CodeServer.environment(root, opts.env);

    if (opts.installVsix) {
      const r = spawnSync(paths.node, [paths.codeServerEntry, '--user-data-dir', path.join(root, 'user-data'),
        '--extensions-dir', path.join(root, 'extensions'), '--install-extension', path.resolve(opts.installVsix)],
      { env, encoding: 'utf8', timeout: 120_000 });
      if (r.status !== 0) {
        throw new Error(`e2e: installing ${opts.installVsix} failed (exit ${r.status}): ${r.stdout}${r.stderr}`);
      }
    }

    // The port is free when picked; another process could take it before the server binds, so try a few.
    let lastError: Error | undefined;
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      fs.writeFileSync(path.join(root, 'config.yaml'), `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
      const log = fs.openSync(path.join(root, 'code-server.log'), 'a');
      const child = spawn(paths.node, [
        ...launch(paths),
        '--config', path.join(root, 'config.yaml'),
        '--auth', 'none',
        '--bind-addr', `127.0.0.1:${port}`,
        '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
        '--disable-getting-started-override',
        '--user-data-dir', path.join(root, 'user-data'),
        '--extensions-dir', path.join(root, 'extensions'),
      ], { cwd: root, env, detached: true, stdio: ['ignore', log, log] });
      fs.closeSync(log);
      const server = new CodeServer(paths, root, port, child);
      try {
        await server.waitHealthy(60_000);
        return server;
      } catch (e) {
        lastError = e as Error;
        await server.stop({ keepFiles: true });
        if (!/EADDRINUSE/.test(server.logTail(20))) break;
      }
    }
    throw lastError ?? new Error('e2e: code-server did not start');
  }

  private static environment(root: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) {
      // Do not leak an outer VS Code's or Node's settings into the server and extension host.
      if (/^(VSCODE_|ELECTRON_|NODE_OPTIONS$|npm_)/.test(k)) continue;
      env[k] = v;
    }
    return {
      ...env,
      HOME: path.join(root, 'home'),
      XDG_CONFIG_HOME: path.join(root, 'xdg-config'),
      XDG_DATA_HOME: path.join(root, 'xdg-data'),
      XDG_CACHE_HOME: path.join(root, 'xdg-cache'),
      // No extension gallery: the workbench would otherwise query open-vsx.org (offline noise, external requests).
      EXTENSIONS_GALLERY: '{"serviceUrl":""}',
      ...extra,
    };
  }

  private async waitHealthy(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.exited) {
        throw new Error(`e2e: code-server exited (code ${this.exitCode}) before /healthz answered:\n${this.logTail(30)}`);
      }
      try {
        const res = await fetch(`${this.url}/healthz`);
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await sleep(200);
    }
    throw new Error(`e2e: code-server /healthz did not answer within ${timeoutMs} ms:\n${this.logTail(30)}`);
  }

  /** The last lines of the server's own output. */
  logTail(lines = 40): string {
    try {
      return fs.readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }

  /** Stops the whole process group (server, extension host, watchers, pty host); removes the temp root unless kept. */
  async stop({ keepFiles = false }: { keepFiles?: boolean } = {}): Promise<void> {
    const pid = this.child.pid!;
    const signal = (s: NodeJS.Signals): void => {
      try {
        process.kill(-pid, s);
      } catch {
        // group already gone
      }
    };
    if (!this.exited) {
      signal('SIGTERM');
      const deadline = Date.now() + 5_000;
      while (!this.exited && Date.now() < deadline) await sleep(100);
    }
    signal('SIGKILL'); // stragglers that outlived the leader still belong to the group
    live.delete(pid);
    if (!keepFiles) fs.rmSync(this.root, { recursive: true, force: true, maxRetries: 3 });
  }
}
