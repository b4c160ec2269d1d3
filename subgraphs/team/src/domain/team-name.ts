import { badUserInput } from '@switchboard/subgraph-kit';

export const TEAM_NAME_MAX_LENGTH = 80;

// C0/C1 control characters and line/paragraph separators: a name is one line of visible text.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/**
 * A team name as stored: surrounding whitespace trimmed, inner runs of whitespace collapsed, in
 * Unicode NFC, 1–80 characters (code points, so an emoji counts once). Throws BAD_USER_INPUT on
 * the `name` field otherwise.
 */
export function parseTeamName(raw: string): string {
  const name = raw.normalize('NFC').trim().replace(/\s+/g, ' ');
  if (name.length === 0) throw badUserInput('A team name cannot be empty', 'name');
  if (CONTROL_CHARACTERS.test(name)) throw badUserInput('A team name cannot contain control characters', 'name');
  const length = [...name].length;
  if (length > TEAM_NAME_MAX_LENGTH) {
    throw badUserInput(`A team name has at most ${TEAM_NAME_MAX_LENGTH} characters (this one has ${length})`, 'name', {
      maxLength: TEAM_NAME_MAX_LENGTH,
    });
  }
  return name;
}

/** What uniqueness is checked on: names that differ only in letter case are the same name. */
export function teamNameKey(name: string): string {
  return name.normalize('NFC').toLowerCase();
}
