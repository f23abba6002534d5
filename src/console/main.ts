// Element Plus components are imported where they are used (so the bundle carries only those);
// its zh-CN locale is given once by <el-config-provider> in App.vue.
import 'element-plus/dist/index.css';
import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { createConsoleRouter } from './router';
import './styles.css';

const pinia = createPinia();
const app = createApp(App);
app.use(pinia);
app.use(createConsoleRouter(pinia));
app.mount('#app');
