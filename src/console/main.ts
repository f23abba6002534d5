import ElementPlus from 'element-plus';
import zhCn from 'element-plus/es/locale/lang/zh-cn.mjs';
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
app.use(ElementPlus, { locale: zhCn });
app.mount('#app');
