/** Reads the clause definitions out of `spec/`: a clause is defined by a heading `### §ID — title`. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ClauseDef {
  readonly id: string;
  readonly title: string;
  readonly file: string;
  readonly line: number;
}

const HEADING = /^#{2,4} (§[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*-[1-9][0-9]*) — (.+)$/;
const ANY_CLAUSE_HEADING = /^#+ .*§/;

export const SPEC_DIR = new URL('../spec/', import.meta.url).pathname;

/** Every clause defined in `spec/`, and every heading that mentions a clause but is malformed. */
export const readSpec = (dir = SPEC_DIR): { clauses: ClauseDef[]; malformed: string[] } => {
  const clauses: ClauseDef[] = [];
  const malformed: string[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.md'))
    .sort()) {
    const lines = readFileSync(join(dir, file), 'utf8').split('\n');
    lines.forEach((text, i) => {
      const m = HEADING.exec(text);
      if (m) clauses.push({ id: m[1] as string, title: m[2] as string, file, line: i + 1 });
      else if (ANY_CLAUSE_HEADING.test(text)) malformed.push(`${file}:${i + 1}: ${text}`);
    });
  }
  return { clauses, malformed };
};
