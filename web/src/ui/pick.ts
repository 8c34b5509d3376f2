/** Turns file inputs and drops (files and whole folders) into LocalFiles with relative paths. */
import type { LocalFile } from '../transfer/hashing';

export function fromInput(files: FileList | null): LocalFile[] {
  return [...(files ?? [])].map((f) => ({
    blob: f,
    name: f.name,
    path: f.webkitRelativePath || f.name,
  }));
}

function readAll(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  return new Promise((resolve, reject) => {
    const out: FileSystemEntry[] = [];
    const next = () =>
      reader.readEntries((batch) => {
        if (batch.length === 0) resolve(out);
        else {
          out.push(...batch);
          next();
        }
      }, reject);
    next();
  });
}

async function walk(entry: FileSystemEntry, prefix: string, out: LocalFile[]): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((res, rej) =>
      (entry as FileSystemFileEntry).file(res, rej),
    );
    out.push({ blob: file, name: file.name, path: prefix + file.name });
  } else if (entry.isDirectory) {
    const children = await readAll((entry as FileSystemDirectoryEntry).createReader());
    for (const c of children) await walk(c, `${prefix}${entry.name}/`, out);
  }
}

/** Files and folders from a drop; folders where webkitGetAsEntry exists, plain files otherwise. */
export async function fromDrop(dt: DataTransfer): Promise<LocalFile[]> {
  const items = [...dt.items].filter((i) => i.kind === 'file');
  const entries = items.map((i) => (i.webkitGetAsEntry ? i.webkitGetAsEntry() : null));
  if (entries.length > 0 && entries.every((e) => e !== null)) {
    const out: LocalFile[] = [];
    for (const e of entries) await walk(e!, '', out);
    return out;
  }
  return fromInput(dt.files);
}
