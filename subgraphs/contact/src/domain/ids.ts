const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Contact, group and import job ids are UUIDs; anything else can only be NOT_FOUND. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
