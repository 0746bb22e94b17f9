/**
 * drone-telegram's `location` and `venue`: "latitude longitude" and, for a venue, a title and an
 * address after them ("25.0339 121.5645 Taipei101 Xinyi Road"), sent with sendLocation and sendVenue.
 */
export interface Place {
  readonly method: 'sendLocation' | 'sendVenue';
  readonly body: { readonly latitude: number; readonly longitude: number; readonly title?: string; readonly address?: string };
}

/** What is wrong with one entry, said for the settings error; undefined when it is right. */
export function placeProblem(entry: string, venue: boolean): string | undefined {
  const [lat, lon, title, ...address] = entry.trim().split(/\s+/);
  const latitude = Number(lat);
  const longitude = Number(lon);
  if (!(Math.abs(latitude) <= 90) || !(Math.abs(longitude) <= 180)) return `"${entry}" is not "latitude longitude", e.g. "25.0339 121.5645"`;
  if (venue && (!title || address.length === 0)) return `"${entry}" needs a title and an address after the coordinates, e.g. "25.0339 121.5645 Taipei101 Xinyi Road"`;
  return undefined;
}

export function placesOf(locations: readonly string[], venues: readonly string[]): Place[] {
  const parse = (entry: string) => {
    const [lat, lon, title, ...address] = entry.trim().split(/\s+/);
    return { latitude: Number(lat), longitude: Number(lon), title, address: address.join(' ') };
  };
  return [
    ...locations.map((entry): Place => {
      const { latitude, longitude } = parse(entry);
      return { method: 'sendLocation', body: { latitude, longitude } };
    }),
    ...venues.map((entry): Place => ({ method: 'sendVenue', body: parse(entry) })),
  ];
}
