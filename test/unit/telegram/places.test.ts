import assert from 'node:assert/strict';
import { test } from 'node:test';
import { placeProblem, placesOf } from '../../../plugins/telegram/places.ts';

test('locations and venues: coordinates, then a title word and the rest as the address', () => {
  assert.deepEqual(placesOf(['-33.8568 151.2153'], ['25.0339 121.5645 Taipei101 No. 7, Xinyi Road']), [
    { method: 'sendLocation', body: { latitude: -33.8568, longitude: 151.2153 } },
    { method: 'sendVenue', body: { latitude: 25.0339, longitude: 121.5645, title: 'Taipei101', address: 'No. 7, Xinyi Road' } },
  ]);
});

test('placeProblem: coordinates out of range or missing, a venue without its address', () => {
  assert.equal(placeProblem('25.0339 121.5645', false), undefined);
  assert.match(placeProblem('91 0', false)!, /is not "latitude longitude"/);
  assert.match(placeProblem('0 181', false)!, /is not "latitude longitude"/);
  assert.match(placeProblem('25.0339', false)!, /is not "latitude longitude"/);
  assert.match(placeProblem('25.0339 121.5645 Taipei101', true)!, /needs a title and an address/);
});
