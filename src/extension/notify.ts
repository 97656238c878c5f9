/**
 * Every notification of the extension goes through here. VS Code turns `[text](command:...)`, `[text](https://...)`
 * and `[text](file:...)` in a notification's message into links, and `$(name)` into icons, while the messages name
 * files and quote data from the workspace: a cloned repository could name a file `[open](command:...).jsonl` and put
 * a link that runs a command in "analysis finished". `plainMessage` breaks both patterns with a zero-width space
 * (the text reads the same), in the message and in a modal's `detail`.
 */
import * as vscode from 'vscode';
import { plainMessage } from './plainMessage';

function plainItems(items: unknown[]): unknown[] {
  return items.map((item) => {
    if (item && typeof item === 'object' && 'detail' in item && typeof (item as vscode.MessageOptions).detail === 'string') {
      return { ...(item as vscode.MessageOptions), detail: plainMessage((item as vscode.MessageOptions).detail!) };
    }
    return item;
  });
}

export const showInformationMessage = ((message: string, ...items: unknown[]) =>
  (vscode.window.showInformationMessage as (m: string, ...i: unknown[]) => Thenable<unknown>)(plainMessage(message), ...plainItems(items))) as typeof vscode.window.showInformationMessage;

export const showWarningMessage = ((message: string, ...items: unknown[]) =>
  (vscode.window.showWarningMessage as (m: string, ...i: unknown[]) => Thenable<unknown>)(plainMessage(message), ...plainItems(items))) as typeof vscode.window.showWarningMessage;

export const showErrorMessage = ((message: string, ...items: unknown[]) =>
  (vscode.window.showErrorMessage as (m: string, ...i: unknown[]) => Thenable<unknown>)(plainMessage(message), ...plainItems(items))) as typeof vscode.window.showErrorMessage;
