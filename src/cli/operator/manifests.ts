// operator manifests: the install manifests as one YAML stream.
import { stringify } from 'yaml';
import { installManifests, stackCrd } from '../../operator/index.ts';
import type { CliIO } from '../io.ts';

export function printManifests(io: CliIO, opts: { image: string; namespace: string; watchNamespace?: string[]; replicas: number; stateClaim?: string; crdOnly?: boolean }): void {
  const docs = opts.crdOnly
    ? [stackCrd()]
    : installManifests({ image: opts.image, namespace: opts.namespace, watchNamespaces: opts.watchNamespace, replicas: opts.replicas, stateClaim: opts.stateClaim });
  io.stdout.write(docs.map((d) => stringify(d, { lineWidth: 0 })).join('---\n'));
}
