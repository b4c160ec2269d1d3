const LEGAL = /^[a-zA-Z0-9._-]+$/;

/** Kafka's topic name rules: 1–249 of [a-zA-Z0-9._-], not "." or "..". */
export function isValidTopicName(name: string): boolean {
  return name.length > 0 && name.length <= 249 && LEGAL.test(name) && name !== '.' && name !== '..';
}
