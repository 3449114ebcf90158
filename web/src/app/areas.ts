/**
 * The app's areas, in navigation order. An area is a folder with an area.tsx
 * that exports its navigation entries and its routes (see web/README.md):
 * adding pages to an area never touches this file or the layout.
 */
import type { RouteObject } from 'react-router';
import type { Session } from '../api/auth';
import { salesArea } from '../sales/area';
import { settingsArea } from '../settings/area';

export interface NavEntry {
  /** Absolute path, e.g. /settings/api-keys. */
  to: string;
  label: string;
  /** Shown only to these roles (all when left out); the server enforces the same. */
  roles?: ReadonlyArray<Session['user']['role']>;
}

export interface Area {
  id: string;
  /** The heading of the area's group in the navigation. */
  label: string;
  nav: NavEntry[];
  /** Routes under the signed-in layout, with paths relative to the root (e.g. `settings/...`). */
  routes: RouteObject[];
}

export const AREAS: Area[] = [salesArea, settingsArea];
