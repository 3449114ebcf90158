/** The address as stored: one column per part, so each part can be filtered. */
import type { Address } from '../domain/normalize.js';
import type { AddressColumns } from './schema.js';

export const ADDRESS_COLUMNS = ['address_street', 'address_city', 'address_state', 'address_postal_code', 'address_country'] as const;

export function addressFromColumns(row: AddressColumns): Address {
  return {
    street: row.address_street,
    city: row.address_city,
    state: row.address_state,
    postal_code: row.address_postal_code,
    country: row.address_country,
  };
}

export function addressToColumns(address: Address): AddressColumns {
  return {
    address_street: address.street,
    address_city: address.city,
    address_state: address.state,
    address_postal_code: address.postal_code,
    address_country: address.country,
  };
}
