import { Page } from '@strapi/strapi/admin';
import { Routes, Route } from 'react-router-dom';
import { BroadcastsPage } from './BroadcastsPage';

const App = () => (
  <Routes>
    <Route index element={<BroadcastsPage />} />
    <Route path="*" element={<Page.Error />} />
  </Routes>
);

export default App;
