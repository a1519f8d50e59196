import { LibsqlStore } from '../../app/store/libsql.ts';
import { storeContract } from '../helpers/store-contract.ts';

storeContract('LibsqlStore', () => LibsqlStore.open(':memory:'));
