/** For log lines: never a full phone number, email address or token. */
export function maskRecipient(value: string | undefined): string {
  if (value === undefined || value === '') return '-';
  const at = value.indexOf('@');
  if (at > 0) return `${value[0]}***${value.slice(at)}`;
  const prefix = value.startsWith('whatsapp:') ? 'whatsapp:' : '';
  const digits = value.slice(prefix.length);
  return digits.length <= 4 ? `${prefix}****` : `${prefix}${'*'.repeat(Math.max(0, digits.length - 4))}${digits.slice(-4)}`;
}

export function maskSecret(value: string): string {
  return value.length <= 6 ? '******' : `${value.slice(0, 3)}…${value.slice(-2)}`;
}
