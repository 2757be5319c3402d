/**
 * An event's version as its ETag: its `updatedAt`, quoted (`"2031-12-06T01:30:45.500Z"`) — strictly
 * increasing with every change, so a client holding only the event's JSON (a list item) can name
 * the version it saw in `If-Match`. Shared by the event service (which tags its answers) and the
 * web app (which sends it).
 */
export const eventVersionTag = (updatedAt: string): string => `"${updatedAt}"`;
