// The media devices the browser offers, kept current when devices are plugged in or out.
import { useEffect, useState } from 'react';

export function useMediaDevices(kind: MediaDeviceKind): MediaDeviceInfo[] {
  const [devices, setDevices] = useState<MediaDeviceInfo[]>([]);
  useEffect(() => {
    let live = true;
    const refresh = () =>
      navigator.mediaDevices
        .enumerateDevices()
        .then((all) => live && setDevices(all.filter((device) => device.kind === kind && device.deviceId !== '')))
        .catch(() => undefined);
    void refresh();
    navigator.mediaDevices.addEventListener('devicechange', refresh);
    return () => {
      live = false;
      navigator.mediaDevices.removeEventListener('devicechange', refresh);
    };
  }, [kind]);
  return devices;
}
