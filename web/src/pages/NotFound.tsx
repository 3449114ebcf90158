import { Link } from 'react-router';
import { useTitle } from '../ui/useTitle';

export function NotFound() {
  useTitle('Not found');
  return (
    <>
      <h1>No such page</h1>
      <p>
        Nothing lives at this address. <Link to="/">Go to the start</Link>.
      </p>
    </>
  );
}
