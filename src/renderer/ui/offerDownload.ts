// Saving a file from the page: the blob goes through an object URL and a hidden download link
// (the browser's download, or Electron's save dialog). A link straight to another origin would be
// a navigation, which the desktop app refuses; a blob URL is the page's own.

/** Hands `blob` to the browser (or Electron's save dialog) as a file named `name`. */
export function offerDownload(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked later, not at once: the download may still be reading it.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
