// The e2e harness: start a real VS Code (code-server) in headless Chromium and drive it like a user.
export type { Journey } from './journey';
export { startVSCode, themeId, VSCode } from './session';
export type { CodeLensInfo, ConsoleEntry, DecorationInfo, EditorDecorations, Notification, StartOptions } from './session';
export type { RecordedRequest } from './network';
export { isExternalUrl } from './network';
export { retry, sleep, withTimeout } from './retry';
export { bundledVSCodeVersion, e2ePaths } from './paths';
export type { VSCodeBuild } from './paths';
export { killAllCodeServersSync } from './codeServer';
export { acceptSaveDialog } from './dialogs';
