// Problems found while compiling a rules document (a regex that does not compile, a hash action
// without its key…), collected with the field's JSON Pointer and, when the document came from a
// file, its line, and thrown together as one ConfigError like schema problems are.
import { ConfigError, type ConfigIssue } from '../config/config-error';
import { dottedPath } from '../config/json-pointer';
import type { ParsedText } from '../config/structured-text';

export class RuleIssues {
  private readonly issues: ConfigIssue[] = [];

  constructor(
    private readonly source: string,
    private readonly data: unknown,
    private readonly parsed: ParsedText | undefined,
    private readonly subject: string,
  ) {}

  add(pointer: string, message: string): void {
    this.issues.push({ source: this.source, path: pointer, field: dottedPath(pointer, this.data), message, ...(this.parsed?.locate(pointer) ?? {}) });
  }

  /** A compiled regular expression, or undefined (and an issue) when it does not compile. */
  regex(source: string, flags: string, pointer: string): RegExp | undefined {
    try {
      return new RegExp(source, flags);
    } catch (error) {
      this.add(pointer, `is not a valid regular expression (${(error as Error).message})`);
      return undefined;
    }
  }

  throwIfAny(): void {
    if (this.issues.length > 0) throw new ConfigError(this.issues, this.subject);
  }
}
