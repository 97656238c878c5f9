import { printableText } from '../core/result/names';

/**
 * A warning on stderr, one line: warnings quote data (class names, labels, row text), which may hold a newline that
 * fakes another message or a terminal escape sequence; those characters are shown as U+FFFD.
 */
export function writeWarning(message: string, prefix = 'warning'): void {
  process.stderr.write(`overlap-density: ${prefix}: ${printableText(message)}\n`);
}
