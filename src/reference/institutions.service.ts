import { Injectable, OnModuleInit } from '@nestjs/common';
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { GatewayConfig, projectRoot } from '../platform';
import { Institution, InstitutionDataset, InstitutionKind } from './institution';

export interface InstitutionFilter {
  kind?: InstitutionKind;
  /** 6-digit 行政区划代码, or a prefix of it (e.g. 6401 for all of Yinchuan). */
  region?: string;
  /** Part of the name, spaces ignored. */
  name?: string;
}

/** Where the reference folder is: relative paths are taken from the project folder, where the data ships. */
export function referenceDir(config: GatewayConfig): string {
  return isAbsolute(config.reference.dir) ? config.reference.dir : resolve(projectRoot(), config.reference.dir);
}

export function readInstitutionDataset(dir: string): InstitutionDataset {
  const file = join(dir, 'institutions.json');
  if (!existsSync(file)) {
    throw new Error(`reference data ${file} is missing — run: npm run gateway -- reference import`);
  }
  return JSON.parse(readFileSync(file, 'utf8')) as InstitutionDataset;
}

/** Agreement institutions of Ningxia (Annexes 4–6), loaded once at start-up. */
@Injectable()
export class InstitutionsService implements OnModuleInit {
  private dataset: InstitutionDataset;

  constructor(private readonly config: GatewayConfig) {}

  onModuleInit(): void {
    this.dataset = readInstitutionDataset(referenceDir(this.config));
  }

  get version(): string {
    return this.dataset.version;
  }

  find(filter: InstitutionFilter): Institution[] {
    const name = filter.name?.replace(/\s+/g, '');
    return this.dataset.institutions.filter(
      (i) =>
        (!filter.kind || i.kind === filter.kind) &&
        (!filter.region || i.regionCode.startsWith(filter.region)) &&
        (!name || i.name.replace(/\s+/g, '').includes(name)),
    );
  }
}
