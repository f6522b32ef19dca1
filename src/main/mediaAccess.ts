// When the page may use the microphone and camera: while a call needs them (from `call.prepare`
// to `call.end`), and while the settings panel previews them (`devices.preview`: the microphone
// level meter and the device lists). The permission handler in security.ts asks `wanted()`.
export class MediaAccess {
  private previewing = false;

  constructor(private readonly callNeedsMedia: () => boolean) {}

  /** Also turned off by main when the page goes away (reload, crash, closed window). */
  setPreview(on: boolean): void {
    this.previewing = on;
  }

  wanted(): boolean {
    return this.previewing || this.callNeedsMedia();
  }
}
