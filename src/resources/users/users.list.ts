import { USER_ROLES } from '../../domain/actor.js';
import { ID_FIELD, TIME_FIELDS, type ListSpec } from '../../list/list-spec.js';

const lower = (value: string) => value.trim().toLowerCase();

export const userListSpec: ListSpec = {
  noun: 'user',
  table: 'users',
  fields: {
    email: { type: 'string', column: 'email', sortable: true, normalize: lower },
    name: { type: 'string', column: 'name', sortable: true },
    role: { type: 'enum', column: 'role', values: USER_ROLES, sortable: true },
    ...ID_FIELD,
    ...TIME_FIELDS,
  },
  search: { columns: ['name', 'email'] },
};
