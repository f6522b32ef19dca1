// The media devices the browser offers, kept current as devices are plugged in or out.
import { useEffect, useState } from 'react';
import { hostErrorText } from '../host/hostError';

/**
 * Lists the devices once `allowed` (the host lets the page use them), again whenever
 * `generation` changes (a browser shows device names only after the user allowed a device), and
 * whenever a device is plugged in or out.
 */
export function useMediaDevices(allowed = true, generation = 0): MediaDeviceInfo[] {
  const [devices, setDevices] = useState<MediaDeviceInfo[]>([]);
  useEffect(() => {
    if (!allowed) return;
    let live = true;
    const refresh = () => {
      navigator.mediaDevices
        .enumerateDevices()
        .then((found) => live && setDevices(found))
        .catch((error: unknown) => console.warn('Could not list the media devices:', hostErrorText(error)));
    };
    refresh();
    navigator.mediaDevices.addEventListener('devicechange', refresh);
    return () => {
      live = false;
      navigator.mediaDevices.removeEventListener('devicechange', refresh);
    };
  }, [allowed, generation]);
  return devices;
}
