import { createHash, randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { Injectable } from '@nestjs/common';
import { GatewayConfig } from '../platform';
import { FormFileCorruptError } from './forms.errors';

export interface StoredFile {
  /** Relative to the storage folder. */
  path: string;
  sha256: string;
  size: number;
}

export function sha256Hex(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Signed form PDFs under one folder, by form number and version. Written to a temporary file,
 * fsynced, then renamed into place (and the folder fsynced), so a crash leaves either no file or
 * the whole file, never a torn one. Each write gets a name of its own, so two requests signing the
 * same version at once cannot overwrite each other's file; the loser removes its own.
 *
 * Provided by the forms module from the config (`FormStorageService.fromConfig`); tests make one on a folder.
 */
@Injectable()
export class FormStorageService {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  /** The storage folder the config names: forms.storageDir, or <dataDir>/forms. */
  static fromConfig(config: GatewayConfig): FormStorageService {
    return new FormStorageService(config.forms.storageDir || join(config.dataDir, 'forms'));
  }

  write(formNo: string, version: number, bytes: Buffer): StoredFile {
    if (!/^[A-Z0-9]+$/.test(formNo)) {
      throw new Error(`form number ${formNo} is not safe as a folder name`);
    }
    const path = join(formNo, `v${version}-${randomBytes(4).toString('hex')}.pdf`);
    const target = this.absolute(path);
    mkdirSync(dirname(target), { recursive: true });
    const temp = `${target}.tmp`;
    const fd = openSync(temp, 'wx', 0o640);
    try {
      writeSync(fd, bytes);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, target);
    syncFolder(dirname(target));
    return { path, sha256: sha256Hex(bytes), size: bytes.length };
  }

  /** The file's bytes, checked against the digest recorded at signing. */
  read(file: StoredFile, formNo: string, version: number): Buffer {
    let bytes: Buffer;
    try {
      bytes = readFileSync(this.absolute(file.path));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new FormFileCorruptError(formNo, version, '不存在');
      }
      throw e;
    }
    if (bytes.length !== file.size || sha256Hex(bytes) !== file.sha256) {
      throw new FormFileCorruptError(formNo, version, '已损坏或被改动');
    }
    return bytes;
  }

  /** Removes a file; a file already gone is fine (pruning may be run by two instances). */
  remove(path: string): void {
    try {
      unlinkSync(this.absolute(path));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw e;
      }
    }
  }

  absolute(path: string): string {
    const full = resolve(this.root, path);
    const rel = relative(this.root, full);
    if (rel.startsWith('..') || isAbsolute(rel) || rel.split(sep).includes('..')) {
      throw new Error(`form file path ${path} leaves the storage folder`);
    }
    return full;
  }
}

function syncFolder(folder: string): void {
  try {
    const fd = openSync(folder, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some file systems (and Windows) cannot fsync a folder; the file itself is synced.
  }
}
