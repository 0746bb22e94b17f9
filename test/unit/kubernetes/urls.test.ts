import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../../plugins/kubernetes/manifests.ts';
import { gatewayKey, gatewaysNeeded, reachableUrls } from '../../../plugins/kubernetes/urls.ts';

const ingress = (spec: unknown): KubeObject => ({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'web' }, spec });
const route = (spec: unknown): KubeObject => ({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'web' }, spec });
const gateway = (listeners: unknown[]): KubeObject => ({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'public' }, spec: { listeners } });
const at = (object: KubeObject, namespace = 'shop') => ({ object, namespace });

describe('reachableUrls', () => {
  it('gives an Ingress host https when its tls names it, each URL once, wildcards left out', () => {
    const objects = [
      at(ingress({ tls: [{ hosts: ['shop.example.com'] }], rules: [{ host: 'shop.example.com' }, { host: 'api.example.com' }, { host: '*.example.com' }, {}] })),
      at(ingress({ rules: [{ host: 'api.example.com' }] })),
      at({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { rules: [{ host: 'not.an.ingress' }] } }),
    ];
    assert.deepEqual(reachableUrls(objects, new Map()), ['https://shop.example.com', 'http://api.example.com']);
  });

  it('gives an HTTPRoute hostname https when a parent Gateway has an HTTPS listener for it', () => {
    const gw = gateway([
      { name: 'tls', protocol: 'HTTPS', hostname: '*.shop.example.com' },
      { name: 'plain', protocol: 'HTTP' },
      { name: 'exact', protocol: 'HTTPS', hostname: 'exact.example.org' },
    ]);
    const gateways = new Map([[gatewayKey('infra', 'public'), gw]]);
    const objects = [
      at(route({ parentRefs: [{ name: 'public', namespace: 'infra' }], hostnames: ['www.shop.example.com', 'shop.example.com', 'exact.example.org', 'other.example.org'] })),
      at(route({ parentRefs: [{ name: 'public', namespace: 'infra', sectionName: 'plain' }], hostnames: ['plain.shop.example.com'] })),
      at(route({ parentRefs: [{ name: 'unknown' }], hostnames: ['unread.example.com'] })),
    ];
    assert.deepEqual(reachableUrls(objects, gateways), [
      'https://www.shop.example.com',
      'http://shop.example.com',
      'https://exact.example.org',
      'http://other.example.org',
      'http://plain.shop.example.com',
      'http://unread.example.com',
    ]);
  });

  it('lists the Gateways the routes attach to, in the route namespace unless a ref names one', () => {
    const objects = [
      at(route({ parentRefs: [{ name: 'public' }, { name: 'edge', namespace: 'infra' }, { name: 'svc', kind: 'Service', group: '' }] })),
      at(ingress({ rules: [] })),
    ];
    assert.deepEqual([...gatewaysNeeded(objects).keys()], ['shop/public', 'infra/edge']);
  });
});
