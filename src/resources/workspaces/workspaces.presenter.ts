import { toIso } from '../../platform/clock.js';
import type { WorkspaceRow } from './workspaces.repository.js';

export function presentWorkspace(workspace: WorkspaceRow) {
  return { ...workspace, created_at: toIso(workspace.created_at), updated_at: toIso(workspace.updated_at) };
}
