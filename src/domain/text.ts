/**
 * What text Trellis stores: well-formed Unicode (a lone UTF-16 surrogate would
 * be replaced, differently, by SQLite and by PostgreSQL, so what is read back
 * would not be what was sent) and no NUL character (PostgreSQL cannot store
 * one). Every door refuses other text; cursors are held to the same rule.
 */
export function textProblem(text: string): string | undefined {
  if (text.includes('\u0000')) return 'Text may not contain NUL characters.';
  if (!text.isWellFormed()) return 'Text must be well-formed Unicode (it holds a lone UTF-16 surrogate).';
  return undefined;
}
